//! Sets the report's blocks on A4 pages and writes the PDF with krilla,
//! which embeds only the glyphs used (a subset font, named `ABCDEF+...`).
//! Layout is done first, as plain positioned operations, so page breaks are
//! decided before anything is drawn and the drawing code stays trivial.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};

use super::font::CjkFont;
use super::report::Block;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const FOOTER_Y: f32 = PAGE_H - 28.0;
const BODY: f32 = 10.0;
const NOTE: f32 = 8.0;
const HEADING: f32 = 13.0;
const TITLE: f32 = 18.0;
const HASH: f32 = 9.0;
const MAX_PICTURE_H: f32 = 300.0;

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
    Text { x: f32, baseline: f32, size: f32, face: Face, tone: Tone, text: String },
    Picture { x: f32, y: f32, w: f32, h: f32, jpeg: usize },
    Rule { y: f32 },
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

    fn room(&mut self, height: f32) {
        if self.y + height > FOOTER_Y - 14.0 {
            self.pages.push(Vec::new());
            self.y = MARGIN;
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
                if self.font.width(idx, &candidate, size) <= width {
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
        let line_h = size * 1.5;
        for line in self.wrap(text, size, Face::Text, PAGE_W - 2.0 * MARGIN) {
            self.room(line_h);
            self.y += line_h;
            self.push(Op::Text { x: MARGIN, baseline: self.y - size * 0.35, size, face: Face::Text, tone, text: line });
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
            Block::Title(t) => self.text_block(t, TITLE, Tone::Black, 2.0),
            Block::Heading(t) => {
                self.room(HEADING * 4.0);
                self.y += 6.0;
                self.text_block(t, HEADING, Tone::Black, 2.0);
            }
            Block::Field(label, value) => self.text_block(&format!("{label}：{value}"), BODY, Tone::Black, 1.0),
            Block::Note(t) => self.text_block(t, NOTE, Tone::Grey, 2.0),
            Block::Hash(label, hash) => {
                self.room(BODY * 1.5 + HASH * 1.6 + 2.0);
                self.text_block(&format!("{label}："), BODY, Tone::Black, 0.0);
                self.hash_line(hash);
            }
            Block::Picture { jpeg, width, height } => self.picture(jpeg, *width, *height),
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

/// Renders the blocks to PDF bytes. `footer` is printed on every page with the page number.
pub fn render(font: &CjkFont, blocks: &[Block], footer: &str) -> Result<Vec<u8>, String> {
    let mut layout = Layout::new(font);
    for b in blocks {
        layout.block(b);
    }
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
        let foot = format!("{footer}    第 {} 页 / 共 {} 页 (page {} of {})", n + 1, total, n + 1, total);
        s.draw_text(Point::from_xy(MARGIN, FOOTER_Y), text_font.clone(), NOTE, &foot, false, TextDirection::Auto);
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("PDF 生成失败 / PDF generation failed: {e:?}"))
}
