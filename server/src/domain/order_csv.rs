//! Importing work orders from the city platform's CSV export. Every bad row
//! is reported with its line number; good rows are imported only when the
//! caller asks for a partial import, so a half-read file never slips in.

use std::collections::HashSet;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde::Serialize;

use crate::domain::orders::{validate_new, NewOrder};
use crate::error::{ApiError, ApiResult};

/// A row that could not be imported.
#[derive(Debug, Clone, Serialize)]
pub struct RowError {
    /// 1-based line in the file where the row starts.
    pub line: u64,
    /// Stable code.
    pub error: String,
    /// zh-CN / English explanation.
    pub message: String,
}

/// Parsed rows and the bad ones.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Good rows with their line numbers.
    pub rows: Vec<(u64, NewOrder)>,
    /// Bad rows.
    pub errors: Vec<RowError>,
}

const MAX_ROWS: usize = 20_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Number,
    Kind,
    Category,
    Address,
    Complainant,
    Dispatched,
    Deadline,
    Content,
    Lat,
    Lon,
}

fn column(name: &str) -> Option<Col> {
    Some(match name.trim().to_lowercase().as_str() {
        "number" | "工单号" | "工单编号" => Col::Number,
        "kind" | "类型" | "诉求类型" => Col::Kind,
        "category" | "类别" | "问题分类" => Col::Category,
        "address" | "地址" | "点位" => Col::Address,
        "complainant" | "complainant_contact" | "contact" | "诉求人联系方式" | "联系方式" => Col::Complainant,
        "dispatch_time" | "dispatched_at" | "派单时间" => Col::Dispatched,
        "deadline" | "办理时限" => Col::Deadline,
        "content" | "内容" | "诉求内容" => Col::Content,
        "spot_lat" | "lat" | "纬度" => Col::Lat,
        "spot_lon" | "lon" | "经度" => Col::Lon,
        _ => return None,
    })
}

/// Parses "2026-11-23T08:00:00+08:00", "2026-11-23 08:00[:00]" or "2026-11-23" (Beijing time when no offset).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let cst = FixedOffset::east_opt(8 * 3600)?;
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return cst.from_local_datetime(&n).single().map(|t| t.timestamp_millis());
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return cst.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single().map(|t| t.timestamp_millis());
        }
    }
    None
}

fn row_error(line: u64, code: &str, message: impl Into<String>) -> RowError {
    RowError { line, error: code.into(), message: message.into() }
}

/// Parses a UTF-8 CSV body into orders and per-line errors.
pub fn parse(body: &[u8]) -> ApiResult<Parsed> {
    let text = std::str::from_utf8(body).map_err(|_| {
        ApiError::bad_request("csv_not_utf8", "CSV 不是 UTF-8 编码，请另存为 UTF-8", "CSV is not UTF-8; save it as UTF-8 (not GBK)")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| ApiError::bad_request("csv_header", "无法读取 CSV 表头", &format!("cannot read CSV header: {e}")))?
        .clone();
    let mut cols = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match column(h) {
            Some(c) if cols.iter().any(|(_, x)| *x == c) => {
                return Err(ApiError::bad_request("csv_header", "CSV 表头有重复列", &format!("duplicate column {h:?}")));
            }
            Some(c) => cols.push((i, c)),
            None => {
                return Err(ApiError::bad_request(
                    "csv_header",
                    &format!("未知列 {h:?}"),
                    &format!("unknown column {h:?}; expected number, kind, category, address, complainant, dispatch_time, deadline, content"),
                ))
            }
        }
    }
    for need in [Col::Number, Col::Kind, Col::Category, Col::Address] {
        if !cols.iter().any(|(_, c)| *c == need) {
            return Err(ApiError::bad_request("csv_header", "CSV 缺少必需列 (工单号/类型/类别/地址)", "CSV needs columns number, kind, category, address"));
        }
    }
    let mut out = Parsed::default();
    let mut seen = HashSet::new();
    for (n, rec) in rdr.records().enumerate() {
        if n >= MAX_ROWS {
            return Err(ApiError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "too_many_rows", "一次最多导入 20000 行", "at most 20000 rows per import"));
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                out.errors.push(row_error(line, "csv_syntax", format!("CSV 格式错误 / malformed CSV: {e}")));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() != headers.len() {
            out.errors.push(row_error(line, "field_count", format!("本行有 {} 列，表头有 {} 列 / row has {} fields, header has {}", rec.len(), headers.len(), rec.len(), headers.len())));
            continue;
        }
        let mut o = NewOrder::default();
        let mut bad = None;
        for (i, c) in &cols {
            let v = rec.get(*i).unwrap_or("");
            match c {
                Col::Number => o.number = v.to_string(),
                Col::Kind => o.kind = v.to_string(),
                Col::Category => o.category = v.to_string(),
                Col::Address => o.address = v.to_string(),
                Col::Complainant => o.complainant = v.to_string(),
                Col::Content => o.content = v.to_string(),
                Col::Dispatched | Col::Deadline if !v.trim().is_empty() => match parse_time(v) {
                    Some(t) if *c == Col::Dispatched => o.dispatched_at_ms = Some(t),
                    Some(t) => o.deadline_ms = Some(t),
                    None => bad = Some(row_error(line, "bad_time", format!("无法识别的时间 {v:?} / unreadable time {v:?}"))),
                },
                Col::Lat | Col::Lon if !v.trim().is_empty() => match v.trim().parse::<f64>() {
                    Ok(x) if *c == Col::Lat => o.spot_lat = Some(x),
                    Ok(x) => o.spot_lon = Some(x),
                    Err(_) => bad = Some(row_error(line, "bad_number", format!("无法识别的坐标 {v:?} / unreadable coordinate {v:?}"))),
                },
                _ => {}
            }
        }
        if let Some(e) = bad {
            out.errors.push(e);
            continue;
        }
        match validate_new(&o) {
            Ok(v) => {
                if !seen.insert(v.number.clone()) {
                    out.errors.push(row_error(line, "duplicate_in_file", format!("工单号 {} 在文件中重复 / order {} appears twice in the file", v.number, v.number)));
                } else {
                    out.rows.push((line, v));
                }
            }
            Err(e) => out.errors.push(row_error(line, e.code, e.message)),
        }
    }
    Ok(out)
}
