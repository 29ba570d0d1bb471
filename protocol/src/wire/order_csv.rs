//! Reading work orders from the city platform's CSV export: columns by their
//! Chinese or English names, times in the formats the platform writes
//! (Beijing time when no offset is given), coordinates as decimals. Every bad
//! row is reported with its line number; what makes a row a valid order
//! (number format, kinds, lengths) is the server's rule and is applied there.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde::Serialize;

use crate::wire::error_code::ErrorCode;

/// Most rows one import may carry.
pub const MAX_ROWS: usize = 20_000;

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line in the file where the row starts.
    pub line: u64,
    /// What is wrong, as the error body names it (`csv_syntax`, `field_count`, `bad_time`, ...).
    pub error: ErrorCode,
    /// zh-CN / English explanation.
    pub message: String,
}

impl RowError {
    /// A row error with its code and bilingual message.
    pub fn new(line: u64, code: ErrorCode, message: impl Into<String>) -> Self {
        RowError { line, error: code, message: message.into() }
    }
}

/// The fields of one row, as text and parsed times and coordinates; not yet validated as an order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvOrder {
    /// Order number.
    pub number: String,
    /// Kind code or Chinese label.
    pub kind: String,
    /// Category.
    pub category: String,
    /// Address.
    pub address: String,
    /// Complainant contact.
    pub complainant: String,
    /// Content.
    pub content: String,
    /// Dispatch time, Unix ms.
    pub dispatched_at_ms: Option<i64>,
    /// Deadline, Unix ms.
    pub deadline_ms: Option<i64>,
    /// Spot latitude.
    pub spot_lat: Option<f64>,
    /// Spot longitude.
    pub spot_lon: Option<f64>,
}

/// Rows read and the bad ones, each in file order.
#[derive(Debug, Default)]
pub struct CsvRows {
    /// Readable rows with their line numbers.
    pub rows: Vec<(u64, CsvOrder)>,
    /// Unreadable rows.
    pub errors: Vec<RowError>,
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvFileError {
    /// Not UTF-8 (usually GBK from a spreadsheet).
    NotUtf8,
    /// The header line cannot be read.
    Header(String),
    /// A column named twice.
    DuplicateColumn(String),
    /// A column this import does not know.
    UnknownColumn(String),
    /// One of number, kind, category, address is missing.
    MissingColumns,
    /// More than [`MAX_ROWS`] rows.
    TooManyRows,
}

impl CsvFileError {
    /// The error code the server answers with.
    pub fn code(&self) -> ErrorCode {
        match self {
            CsvFileError::NotUtf8 => ErrorCode::CsvNotUtf8,
            CsvFileError::TooManyRows => ErrorCode::TooManyRows,
            CsvFileError::Header(_) | CsvFileError::DuplicateColumn(_) | CsvFileError::UnknownColumn(_) | CsvFileError::MissingColumns => {
                ErrorCode::CsvHeader
            }
        }
    }

    /// zh-CN and English text.
    pub fn text(&self) -> (String, String) {
        match self {
            CsvFileError::NotUtf8 => ("CSV 不是 UTF-8 编码，请另存为 UTF-8".into(), "CSV is not UTF-8; save it as UTF-8 (not GBK)".into()),
            CsvFileError::Header(e) => ("无法读取 CSV 表头".into(), format!("cannot read CSV header: {e}")),
            CsvFileError::DuplicateColumn(h) => ("CSV 表头有重复列".into(), format!("duplicate column {h:?}")),
            CsvFileError::UnknownColumn(h) => (
                format!("未知列 {h:?}"),
                format!("unknown column {h:?}; expected number, kind, category, address, complainant, dispatch_time, deadline, content"),
            ),
            CsvFileError::MissingColumns => {
                ("CSV 缺少必需列 (工单号/类型/类别/地址)".into(), "CSV needs columns number, kind, category, address".into())
            }
            CsvFileError::TooManyRows => (format!("一次最多导入 {MAX_ROWS} 行"), format!("at most {MAX_ROWS} rows per import")),
        }
    }
}

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

/// Byte offsets where lines start. A line ends at \n, \r\n or a lone \r: the CSV reader
/// accepts all three as record ends but counts only \n in its positions, so rows of a file
/// with old Mac line ends would all be reported on one line.
fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    starts.extend((0..b.len()).filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'))).map(|i| i + 1));
    starts
}

/// 1-based line where a record starts. The reader may place a record's position on the
/// \n of a \r\n that ended the previous one, so line ends at the position are skipped.
fn line_of(text: &str, starts: &[usize], position: Option<&csv::Position>) -> u64 {
    let Some(p) = position else { return 0 };
    let b = text.as_bytes();
    let mut at = usize::try_from(p.byte()).unwrap_or(usize::MAX).min(b.len());
    while at < b.len() && (b[at] == b'\n' || b[at] == b'\r') {
        at += 1;
    }
    starts.partition_point(|&s| s <= at) as u64
}

/// Reads a UTF-8 CSV body (a leading BOM is allowed) into rows and per-line errors.
pub fn parse(body: &[u8]) -> Result<CsvRows, CsvFileError> {
    let text = std::str::from_utf8(body).map_err(|_| CsvFileError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let starts = line_starts(text);
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| CsvFileError::Header(e.to_string()))?.clone();
    let mut cols = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match column(h) {
            Some(c) if cols.iter().any(|(_, x)| *x == c) => return Err(CsvFileError::DuplicateColumn(h.to_string())),
            Some(c) => cols.push((i, c)),
            None => return Err(CsvFileError::UnknownColumn(h.to_string())),
        }
    }
    if [Col::Number, Col::Kind, Col::Category, Col::Address].iter().any(|need| !cols.iter().any(|(_, c)| c == need)) {
        return Err(CsvFileError::MissingColumns);
    }
    let mut out = CsvRows::default();
    for (n, rec) in rdr.records().enumerate() {
        if n >= MAX_ROWS {
            return Err(CsvFileError::TooManyRows);
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = line_of(text, &starts, e.position());
                out.errors.push(RowError::new(line, ErrorCode::CsvSyntax, format!("CSV 格式错误 / malformed CSV: {e}")));
                continue;
            }
        };
        let line = line_of(text, &starts, rec.position());
        if rec.len() != headers.len() {
            out.errors.push(RowError::new(
                line,
                ErrorCode::FieldCount,
                format!(
                    "本行有 {} 列，表头有 {} 列 / row has {} fields, header has {}",
                    rec.len(),
                    headers.len(),
                    rec.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let mut o = CsvOrder::default();
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
                    None => bad = Some(RowError::new(line, ErrorCode::BadTime, format!("无法识别的时间 {v:?} / unreadable time {v:?}"))),
                },
                Col::Lat | Col::Lon if !v.trim().is_empty() => match v.trim().parse::<f64>() {
                    Ok(x) if *c == Col::Lat => o.spot_lat = Some(x),
                    Ok(x) => o.spot_lon = Some(x),
                    Err(_) => {
                        bad = Some(RowError::new(line, ErrorCode::BadNumber, format!("无法识别的坐标 {v:?} / unreadable coordinate {v:?}")))
                    }
                },
                _ => {}
            }
        }
        match bad {
            Some(e) => out.errors.push(e),
            None => out.rows.push((line, o)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headers_and_beijing_time() {
        let csv = "\u{feff}工单号,类型,类别,地址,办理时限\n2026112300456,投诉,噪音,幸福里3号,2026-11-23 08:00\n";
        let rows = parse(csv.as_bytes()).unwrap();
        assert!(rows.errors.is_empty(), "{:?}", rows.errors);
        assert_eq!(rows.rows[0].1.deadline_ms, Some(1_795_392_000_000));
        assert_eq!(parse(b"number,kind\n").unwrap_err(), CsvFileError::MissingColumns);
        assert_eq!(parse(b"\xff\xfe").unwrap_err(), CsvFileError::NotUtf8);
    }

    #[test]
    fn row_and_file_errors_keep_their_wire_codes() {
        // The codes are typed now; the JSON a coordinator's script reads must not change.
        let rows = parse(b"number,kind,category,address,deadline,lat\n1,a,b,c\n2,a,b,c,someday,\n3,a,b,c,,north\n4,\"a,b,c,,\n").unwrap();
        let codes: Vec<String> =
            rows.errors.iter().map(|e| serde_json::to_value(e).unwrap()["error"].as_str().unwrap().to_string()).collect();
        assert_eq!(codes, ["field_count", "bad_time", "bad_number", "field_count"]);
        let file = [
            (CsvFileError::NotUtf8, "csv_not_utf8"),
            (CsvFileError::TooManyRows, "too_many_rows"),
            (CsvFileError::MissingColumns, "csv_header"),
        ];
        for (e, wire) in file {
            assert_eq!(e.code().as_str(), wire);
        }
        assert_eq!(ErrorCode::CsvSyntax.as_str(), "csv_syntax");
        assert_eq!(ErrorCode::DuplicateInFile.as_str(), "duplicate_in_file");
    }

    #[test]
    fn rows_ending_in_a_lone_carriage_return_get_their_own_lines() {
        // Found by the order_csv fuzz target: every row was reported on line 1.
        let rows = parse(b"number,kind,category,address\r1,a,b,c\r2,a,b,c\r\n3,a,b,c\n4,a,b\n").unwrap();
        let lines: Vec<u64> = rows.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 4]);
        assert_eq!(rows.errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![5]);
    }
}
