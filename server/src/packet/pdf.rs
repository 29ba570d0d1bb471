//! Sets the report's blocks on A4 pages and writes the PDF with krilla,
//! which embeds only the glyphs used (a subset font, named `ABCDEF+...`).
//! Layout is done first, as plain positioned operations, so page breaks are
//! decided before anything is drawn and the drawing code stays trivial.
//! Page breaks follow a document's rules: a heading stays with what follows
//! it, a group (one evidence item) is kept on one page when it fits one, and
//! a break is only ever taken on a page that already holds something.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};

use super::font::CjkFont;
use super::map::{self, Ink, Mark};
use super::report::{Block, Clock, Preview, TimelineRow};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const FOOTER_Y: f32 = PAGE_H - 28.0;
const BODY: f32 = 10.0;
const NOTE: f32 = 8.0;
const HEADING: f32 = 13.0;
const TITLE: f32 = 18.0;
const HASH: f32 = 9.0;
/// Two photo entries share a page: a preview this tall still shows the scene, and the original is in the packet.
const MAX_PICTURE_H: f32 = 160.0;
/// The lowest a line may end: above the footer.
const BODY_BOTTOM: f32 = FOOTER_Y - 14.0;
/// Height of a page's writable area.
const BODY_H: f32 = BODY_BOTTOM - MARGIN;
const STAMP_W: f32 = 150.0;
const STAMP_H: f32 = 110.0;
const MAP_H: f32 = 430.0;
/// A before/after picture: half the line less the gap, this tall at most so a pair and its facts share a page with another.
const SIDE_GAP: f32 = 16.0;
const SIDE_MAX_H: f32 = 190.0;
/// Timeline columns: time, the mark on the line, the clock's word, then what happened.
const TL_TIME_W: f32 = 112.0;
const TL_LINE_X: f32 = MARGIN + TL_TIME_W + 6.0;
const TL_WORD_X: f32 = TL_LINE_X + 10.0;
const TL_TEXT_X: f32 = TL_WORD_X + 44.0;
const TL_MARK_R: f32 = 3.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Face {
    Text,
    Mono,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tone {
    Black,
    Grey,
}

/// One positioned drawing operation.
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        face: Face,
        tone: Tone,
        text: String,
    },
    Picture {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        jpeg: usize,
    },
    Rule {
        y: f32,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    Map {
        x: f32,
        y: f32,
        marks: Vec<Mark>,
    },
    /// A timeline mark centred at (`x`, `y`): its shape tells the clock.
    ClockMark {
        x: f32,
        y: f32,
        clock: Clock,
    },
    /// An empty frame where a picture would be.
    Frame {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

struct Layout<'a> {
    font: &'a CjkFont,
    pages: Vec<Vec<Op>>,
    y: f32,
    pictures: Vec<Vec<u8>>,
}

impl<'a> Layout<'a> {
    fn new(font: &'a CjkFont) -> Self {
        Layout { font, pages: vec![Vec::new()], y: MARGIN, pictures: Vec::new() }
    }

    fn index(&self, face: Face) -> u32 {
        match face {
            Face::Text => self.font.text_index,
            Face::Mono => self.font.mono_index,
        }
    }

    /// Starts a new page when `height` does not fit below; an empty page is never left behind.
    fn room(&mut self, height: f32) {
        if self.y + height > BODY_BOTTOM && self.y > MARGIN {
            self.new_page();
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// The height `blocks` take when set from the top of an empty page (more than a page when they do not fit one).
    fn measure(&self, blocks: &[Block]) -> f32 {
        let mut probe = Layout::new(self.font);
        probe.lay_out(blocks);
        (probe.pages.len() - 1) as f32 * BODY_H + (probe.y - MARGIN)
    }

    /// What must fit below a heading for it to stay on this page: the notes
    /// under it and all of the first real block when that fits a page, else
    /// that block's first lines.
    fn keep_with_next(&self, following: &[Block]) -> f32 {
        let notes = following.iter().take_while(|b| matches!(b, Block::Note(_))).count();
        let Some(next) = following.get(notes) else {
            return self.measure(following);
        };
        let lead = self.measure(&following[..notes]);
        // A timeline splits across pages row by row: a heading needs only its first rows below it.
        if let Block::Timeline(rows) = next {
            return lead + self.measure(&[Block::Timeline(rows[..rows.len().min(3)].to_vec())]);
        }
        let whole = self.measure(std::slice::from_ref(next));
        if lead + whole <= BODY_H {
            return lead + whole;
        }
        lead + match next {
            Block::Group(inner) => self.measure(&inner[..inner.len().min(2)]),
            _ => BODY * 1.5 * 3.0,
        }
        .min(BODY_H - lead)
    }

    fn lay_out(&mut self, blocks: &[Block]) {
        for (i, b) in blocks.iter().enumerate() {
            if let Block::Heading(t) = b {
                let own = self.wrap(t, HEADING, Face::Text, PAGE_W - 2.0 * MARGIN).len() as f32 * HEADING * 1.5 + 8.0;
                let next = self.keep_with_next(&blocks[i + 1..]);
                self.room(own + next);
            }
            self.block(b);
        }
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a page exists").push(op);
    }

    /// Splits text into lines that fit `width`, breaking between CJK characters or at spaces.
    fn wrap(&self, text: &str, size: f32, face: Face, width: f32) -> Vec<String> {
        let idx = self.index(face);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for token in tokens(para) {
                let candidate = format!("{line}{token}");
                // Closing punctuation never starts a line (禁则): it hangs into the margin instead.
                if self.font.width(idx, &candidate, size) <= width || (closes(&token) && !line.trim().is_empty()) {
                    line = candidate;
                    continue;
                }
                if !line.trim().is_empty() {
                    lines.push(line.trim_end().to_string());
                }
                line = String::new();
                // A token wider than the line (a long id) is broken by character.
                for ch in token.trim_start().chars() {
                    let candidate = format!("{line}{ch}");
                    if self.font.width(idx, &candidate, size) > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.push(ch);
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }

    fn text_block(&mut self, text: &str, size: f32, tone: Tone, gap_after: f32) {
        self.text_lines(text, size, tone, gap_after, false);
    }

    fn text_lines(&mut self, text: &str, size: f32, tone: Tone, gap_after: f32, centred: bool) {
        let line_h = size * 1.5;
        for line in self.wrap(text, size, Face::Text, PAGE_W - 2.0 * MARGIN) {
            self.room(line_h);
            self.y += line_h;
            let x = if centred { (PAGE_W - self.font.width(self.font.text_index, &line, size)) / 2.0 } else { MARGIN };
            self.push(Op::Text { x, baseline: self.y - size * 0.35, size, face: Face::Text, tone, text: line });
        }
        self.y += gap_after;
    }

    fn hash_line(&mut self, hash: &str) {
        // A hash is never wrapped: shrink it until it fits, so pdftotext finds it whole.
        let max = PAGE_W - 2.0 * MARGIN;
        let mut size = HASH;
        while size > 4.0 && self.font.width(self.font.mono_index, hash, size) > max {
            size -= 0.5;
        }
        let line_h = size * 1.6;
        self.room(line_h);
        self.y += line_h;
        self.push(Op::Text {
            x: MARGIN,
            baseline: self.y - size * 0.35,
            size,
            face: Face::Mono,
            tone: Tone::Black,
            text: hash.to_string(),
        });
        self.y += 2.0;
    }

    fn picture(&mut self, jpeg: &[u8], width: u32, height: u32) {
        if width == 0 || height == 0 {
            return;
        }
        let max_w = PAGE_W - 2.0 * MARGIN;
        let scale = (max_w / width as f32).min(MAX_PICTURE_H / height as f32).min(1.0);
        let (w, h) = (width as f32 * scale, height as f32 * scale);
        self.room(h + 6.0);
        self.pictures.push(jpeg.to_vec());
        let op = Op::Picture { x: MARGIN, y: self.y + 3.0, w, h, jpeg: self.pictures.len() - 1 };
        self.push(op);
        self.y += h + 6.0;
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Title(t) => self.text_lines(t, TITLE, Tone::Black, 8.0, true),
            Block::Heading(t) => {
                self.room(HEADING * 1.5 + 6.0);
                if self.y > MARGIN {
                    self.y += 6.0;
                }
                self.text_block(t, HEADING, Tone::Black, 2.0);
            }
            Block::Paragraph(t) => self.text_block(t, BODY, Tone::Black, 3.0),
            Block::StampBlock => self.stamp_block(),
            Block::PageBreak => {
                if self.y > MARGIN {
                    self.new_page();
                }
            }
            Block::Map(data) => {
                let w = PAGE_W - 2.0 * MARGIN;
                if let Some(marks) = map::draw(data, w, MAP_H) {
                    self.room(MAP_H + 8.0);
                    let op = Op::Map { x: MARGIN, y: self.y + 4.0, marks };
                    self.push(op);
                    self.y += MAP_H + 8.0;
                }
            }
            Block::Group(inner) => {
                let h = self.measure(inner);
                if h <= BODY_H {
                    self.room(h);
                }
                self.lay_out(inner);
            }
            Block::Field(label, value) => self.text_block(&format!("{label}：{value}"), BODY, Tone::Black, 1.0),
            Block::Note(t) => self.text_block(t, NOTE, Tone::Grey, 2.0),
            Block::Hash(label, hash) => {
                self.room(BODY * 1.5 + HASH * 1.6 + 2.0);
                self.text_block(&format!("{label}："), BODY, Tone::Black, 0.0);
                self.hash_line(hash);
            }
            Block::Picture { jpeg, width, height } => self.picture(jpeg, *width, *height),
            Block::SideBySide(halves) => self.side_by_side(halves),
            Block::Timeline(rows) => {
                for row in rows {
                    self.timeline_row(row);
                }
            }
            Block::Rule => {
                self.room(12.0);
                self.y += 6.0;
                let y = self.y;
                self.push(Op::Rule { y });
                self.y += 4.0;
            }
        }
    }
}

impl Layout<'_> {
    /// Two pictures side by side, each scaled into half the line under its caption; a missing preview leaves a framed gap that says so.
    fn side_by_side(&mut self, halves: &[(String, Option<Preview>); 2]) {
        let half_w = (PAGE_W - 2.0 * MARGIN - SIDE_GAP) / 2.0;
        let fitted = |p: &Option<Preview>| match p {
            Some((_, w, h)) if *w > 0 && *h > 0 => {
                let scale = (half_w / *w as f32).min(SIDE_MAX_H / *h as f32).min(1.0);
                (*w as f32 * scale, *h as f32 * scale)
            }
            _ => (half_w, SIDE_MAX_H / 2.0),
        };
        let sizes = [fitted(&halves[0].1), fitted(&halves[1].1)];
        let tallest = sizes[0].1.max(sizes[1].1);
        let caption_h = BODY * 1.5;
        self.room(caption_h + tallest + 8.0);
        let top = self.y;
        for (k, ((caption, preview), (w, h))) in halves.iter().zip(sizes).enumerate() {
            let x = MARGIN + k as f32 * (half_w + SIDE_GAP);
            self.push(Op::Text {
                x,
                baseline: top + caption_h - BODY * 0.35,
                size: BODY,
                face: Face::Text,
                tone: Tone::Black,
                text: caption.clone(),
            });
            match preview {
                Some((jpeg, pw, ph)) if *pw > 0 && *ph > 0 => {
                    self.pictures.push(jpeg.clone());
                    let op = Op::Picture { x, y: top + caption_h + 3.0, w, h, jpeg: self.pictures.len() - 1 };
                    self.push(op);
                }
                _ => {
                    self.push(Op::Frame { x, y: top + caption_h + 3.0, w, h });
                    let text = "（无预览图，原件见 originals/）".to_string();
                    self.push(Op::Text {
                        x: x + 8.0,
                        baseline: top + caption_h + h / 2.0,
                        size: NOTE,
                        face: Face::Text,
                        tone: Tone::Grey,
                        text,
                    });
                }
            }
        }
        self.y = top + caption_h + tallest + 8.0;
    }

    /// One timeline event: its time, a mark on the drawn line, the clock's word, and what happened (wrapped in its column).
    fn timeline_row(&mut self, row: &TimelineRow) {
        let line_h = BODY * 1.5;
        let lines = self.wrap(&row.what, BODY, Face::Text, PAGE_W - MARGIN - TL_TEXT_X);
        let h = lines.len() as f32 * line_h + 2.0;
        self.room(h);
        let top = self.y;
        // The line runs through every row, so a page of events reads as one line with marks on it.
        self.push(Op::Rect { x: TL_LINE_X - 0.4, y: top, w: 0.8, h });
        let baseline = top + line_h - BODY * 0.35;
        self.push(Op::Text { x: MARGIN, baseline, size: NOTE + 1.0, face: Face::Mono, tone: Tone::Black, text: row.when.clone() });
        self.push(Op::ClockMark { x: TL_LINE_X, y: top + line_h / 2.0, clock: row.clock });
        self.push(Op::Text { x: TL_WORD_X, baseline, size: NOTE, face: Face::Text, tone: Tone::Grey, text: row.clock.zh().to_string() });
        for (i, text) in lines.into_iter().enumerate() {
            let baseline = top + (i + 1) as f32 * line_h - BODY * 0.35;
            self.push(Op::Text { x: TL_TEXT_X, baseline, size: BODY, face: Face::Text, tone: Tone::Black, text });
        }
        self.y = top + h;
    }

    /// Signature and date lines on the left, a framed 盖章处 on the right.
    fn stamp_block(&mut self) {
        self.room(STAMP_H + 24.0);
        let top = self.y + 16.0;
        let x = PAGE_W - MARGIN - STAMP_W;
        for (i, line) in ["申诉单位（盖章）：", "负责人（签字）：＿＿＿＿＿＿＿＿", "日期：　　　　年　　月　　日"].iter().enumerate()
        {
            let baseline = top + 22.0 + i as f32 * 34.0;
            self.push(Op::Text { x: MARGIN, baseline, size: BODY, face: Face::Text, tone: Tone::Black, text: line.to_string() });
        }
        let t = 0.8;
        for (rx, ry, rw, rh) in
            [(x, top, STAMP_W, t), (x, top + STAMP_H - t, STAMP_W, t), (x, top, t, STAMP_H), (x + STAMP_W - t, top, t, STAMP_H)]
        {
            self.push(Op::Rect { x: rx, y: ry, w: rw, h: rh });
        }
        let label = "盖章处";
        let lw = self.font.width(self.font.text_index, label, NOTE);
        self.push(Op::Text {
            x: x + (STAMP_W - lw) / 2.0,
            baseline: top + STAMP_H / 2.0,
            size: NOTE,
            face: Face::Text,
            tone: Tone::Grey,
            text: label.to_string(),
        });
        self.y = top + STAMP_H + 8.0;
    }
}

/// Punctuation that closes a phrase and so may not start a line.
fn closes(token: &str) -> bool {
    let mut chars = token.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if "，。、；：！？）」』”’》〉…%".contains(c))
}

/// Tokens for wrapping: each CJK character alone, runs of other characters, single spaces.
fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run = String::new();
    for ch in text.chars() {
        let wide = ch as u32 >= 0x2E80;
        if ch == ' ' || wide {
            if !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
            out.push(ch.to_string());
        } else {
            run.push(ch);
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    // Keep a space with the word after it, so lines never start with one.
    let mut merged: Vec<String> = Vec::new();
    for t in out {
        match merged.last_mut() {
            Some(last) if last == " " => last.push_str(&t),
            _ => merged.push(t),
        }
    }
    merged
}

fn ink_rgb(ink: Ink) -> rgb::Color {
    match ink {
        Ink::Spot => rgb::Color::new(200, 30, 30),
        Ink::Point | Ink::Accuracy => rgb::Color::new(20, 80, 200),
        Ink::Furniture => rgb::Color::new(90, 90, 90),
    }
}

/// A circle as four cubic Béziers.
fn circle(x: f32, y: f32, r: f32) -> Option<krilla::geom::Path> {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    let mut pb = PathBuilder::new();
    pb.move_to(x + r, y);
    pb.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
    pb.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
    pb.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
    pb.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
    pb.close();
    pb.finish()
}

/// A timeline mark: filled circle anchored, hollow circle phone clock, filled square server, hollow square 12345 system.
fn draw_clock_mark(s: &mut krilla::surface::Surface<'_>, x: f32, y: f32, clock: Clock) {
    let black = Fill { paint: rgb::Color::new(0, 0, 0).into(), opacity: NormalizedF32::ONE, rule: Default::default() };
    let white = Fill { paint: rgb::Color::new(255, 255, 255).into(), opacity: NormalizedF32::ONE, rule: Default::default() };
    let outline = Stroke { paint: rgb::Color::new(0, 0, 0).into(), width: 1.0, ..Default::default() };
    let r = TL_MARK_R;
    let path = match clock {
        Clock::Anchored | Clock::Phone => circle(x, y, r),
        Clock::Server | Clock::Order => {
            let mut pb = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(x - r, y - r, 2.0 * r, 2.0 * r) {
                pb.push_rect(rect);
            }
            pb.finish()
        }
    };
    let Some(path) = path else { return };
    let filled = matches!(clock, Clock::Anchored | Clock::Server);
    s.set_fill(Some(if filled { black } else { white }));
    s.set_stroke(Some(outline));
    s.draw_path(&path);
    s.set_stroke(None);
}

/// Strokes and fills the map's marks at (`x`, `y`).
fn draw_map(s: &mut krilla::surface::Surface<'_>, x: f32, y: f32, marks: &[Mark], font: &Font) -> Result<(), String> {
    let fill = |ink: Ink, opacity: f32| Fill {
        paint: ink_rgb(ink).into(),
        opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
        rule: Default::default(),
    };
    let stroke = |ink: Ink, width: f32| Stroke { paint: ink_rgb(ink).into(), width, ..Default::default() };
    for m in marks {
        match m {
            Mark::Circle { x: cx, y: cy, r, ink } => {
                let Some(path) = circle(x + cx, y + cy, *r) else { continue };
                let (f, st) = match ink {
                    Ink::Accuracy => (Some(fill(*ink, 0.12)), Some(stroke(*ink, 0.5))),
                    Ink::Spot => (None, Some(stroke(*ink, 1.2))),
                    _ => (Some(fill(*ink, 1.0)), None),
                };
                s.set_fill(f);
                s.set_stroke(st);
                s.draw_path(&path);
            }
            Mark::Line { x1, y1, x2, y2, ink } => {
                let mut pb = PathBuilder::new();
                pb.move_to(x + x1, y + y1);
                pb.line_to(x + x2, y + y2);
                let Some(path) = pb.finish() else { continue };
                s.set_fill(None);
                s.set_stroke(Some(stroke(*ink, if *ink == Ink::Spot { 1.2 } else { 0.8 })));
                s.draw_path(&path);
            }
            Mark::Label { x: lx, y: ly, text, ink } => {
                s.set_stroke(None);
                s.set_fill(Some(fill(*ink, 1.0)));
                s.draw_text(Point::from_xy(x + lx, y + ly), font.clone(), NOTE, text, false, TextDirection::Auto);
            }
        }
    }
    s.set_stroke(None);
    Ok(())
}

/// The page (from 1) each section starts on when `blocks` are rendered, a section being opened by the
/// `Block::PageBreak` at each index of `breaks` (ascending). A heading is only ever kept with blocks before
/// the next break, so laying out up to each break sets those pages exactly as `render` does.
pub fn section_pages(font: &CjkFont, blocks: &[Block], breaks: &[usize]) -> Vec<usize> {
    let mut layout = Layout::new(font);
    let mut from = 0;
    let mut pages = Vec::with_capacity(breaks.len());
    for &at in breaks {
        debug_assert!(matches!(blocks.get(at), Some(Block::PageBreak)), "a section opens with a page break");
        layout.lay_out(&blocks[from..=at]);
        pages.push(layout.pages.len());
        from = at + 1;
    }
    pages
}

/// Renders the blocks to PDF bytes. `footer` is printed on every page with the page number.
pub fn render(font: &CjkFont, blocks: &[Block], footer: &str) -> Result<Vec<u8>, String> {
    render_with_footers(font, blocks, |_| footer.to_string())
}

/// Renders the blocks with each page's footer chosen by its page number (from 1): a batch packet's page says
/// which order it belongs to, so a page taken out of the stack still does.
pub fn render_with_footers(font: &CjkFont, blocks: &[Block], footer: impl Fn(usize) -> String) -> Result<Vec<u8>, String> {
    let mut layout = Layout::new(font);
    layout.lay_out(blocks);
    let text_font = Font::new(Data::from(font.data()), font.text_index).ok_or("字体无法用于 PDF / font cannot be used in a PDF")?;
    let mono_font = Font::new(Data::from(font.data()), font.mono_index).ok_or("字体无法用于 PDF / font cannot be used in a PDF")?;
    let grey = Fill { paint: rgb::Color::new(90, 90, 90).into(), opacity: NormalizedF32::ONE, rule: Default::default() };
    let black = Fill { paint: rgb::Color::new(0, 0, 0).into(), opacity: NormalizedF32::ONE, rule: Default::default() };
    let total = layout.pages.len();
    let mut doc = Document::new();
    for (n, ops) in layout.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        for op in ops {
            match op {
                Op::Text { x, baseline, size, face, tone, text } => {
                    s.set_fill(Some(if *tone == Tone::Grey { grey.clone() } else { black.clone() }));
                    let f = if *face == Face::Mono { mono_font.clone() } else { text_font.clone() };
                    s.draw_text(Point::from_xy(*x, *baseline), f, *size, text, false, TextDirection::Auto);
                }
                Op::Picture { x, y, w, h, jpeg } => {
                    let image = Image::from_jpeg(Data::from(layout.pictures[*jpeg].clone()), true)
                        .map_err(|e| format!("预览图无法嵌入 / preview cannot be embedded: {e}"))?;
                    s.push_transform(&Transform::from_translate(*x, *y));
                    s.draw_image(image, Size::from_wh(*w, *h).ok_or("bad picture size")?);
                    s.pop();
                }
                Op::Rect { x, y, w, h } => {
                    let mut pb = PathBuilder::new();
                    pb.push_rect(Rect::from_xywh(*x, *y, *w, *h).ok_or("bad frame")?);
                    if let Some(path) = pb.finish() {
                        s.set_fill(Some(grey.clone()));
                        s.draw_path(&path);
                    }
                }
                Op::Map { x, y, marks } => draw_map(&mut s, *x, *y, marks, &text_font)?,
                Op::ClockMark { x, y, clock } => draw_clock_mark(&mut s, *x, *y, *clock),
                Op::Frame { x, y, w, h } => {
                    let mut pb = PathBuilder::new();
                    pb.push_rect(Rect::from_xywh(*x, *y, *w, *h).ok_or("bad frame")?);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke { paint: rgb::Color::new(90, 90, 90).into(), width: 0.8, ..Default::default() }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
                Op::Rule { y } => {
                    let mut pb = PathBuilder::new();
                    pb.push_rect(Rect::from_xywh(MARGIN, *y, PAGE_W - 2.0 * MARGIN, 0.6).ok_or("bad rule")?);
                    if let Some(path) = pb.finish() {
                        s.set_fill(Some(grey.clone()));
                        s.draw_path(&path);
                    }
                }
            }
        }
        s.set_fill(Some(grey.clone()));
        let foot = format!("{}    第 {} 页，共 {} 页", footer(n + 1), n + 1, total);
        s.draw_text(Point::from_xy(MARGIN, FOOTER_Y), text_font.clone(), NOTE, &foot, false, TextDirection::Auto);
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("PDF 生成失败 / PDF generation failed: {e:?}"))
}
