//! Siteproof core.
