//! How far each piece of evidence was captured from the order's address
//! (点位), with the phone's stated accuracy: the question an office asks
//! first about a photo offered as proof ("was it taken there?"). Both points
//! are WGS-84 as recorded; no map service is asked at export.

use siteproof_protocol::flags::distance_m;

use super::map::{MapData, MapPoint};
use super::report::{beijing, Block, ReportItem};
use super::visits::captured_ms;
use crate::domain::orders::Order;

/// The distance of one item's fix from the order's spot, metres.
pub fn from_spot(order: &Order, item: &ReportItem) -> Option<f64> {
    let (lat, lon) = (order.spot_lat?, order.spot_lon?);
    let f = item.fix.as_ref()?;
    Some(distance_m(lat, lon, f.lat, f.lon))
}

/// The map of the evidence points around the order's address, with what it shows and what it does not.
fn map_blocks(order: &Order, items: &[ReportItem]) -> Vec<Block> {
    let points: Vec<MapPoint> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            item.fix.as_ref().map(|f| MapPoint { label: (i + 1).to_string(), lat: f.lat, lon: f.lon, accuracy_m: f.accuracy_m })
        })
        .collect();
    let spot = order.spot_lat.zip(order.spot_lon);
    if points.is_empty() {
        return Vec::new();
    }
    vec![Block::Group(vec![
        Block::Field("点位图".into(), "蓝点为证据拍摄位置（数字为证据编号），浅蓝圆为定位精度范围，红色十字为工单点位。".into()),
        Block::Map(MapData { spot, points }),
        Block::Note(
            "本图按坐标直接绘制，导出时不联网、未使用在线地图，故无底图。坐标系为 WGS-84；高德、腾讯地图使用 GCJ-02，\
             百度地图使用 BD-09，在这些地图上查看同一坐标会偏移数百米以内，请先换算。"
                .into(),
        ),
    ])]
}

/// The 证据点位与距离 section.
pub fn distance_blocks(order: &Order, items: &[ReportItem]) -> Vec<Block> {
    let mut b = vec![Block::Heading("四、证据点位与工单地址的距离".into())];
    let (Some(lat), Some(lon)) = (order.spot_lat, order.spot_lon) else {
        b.push(Block::Note("工单未录入点位坐标，无法计算距离。".into()));
        b.extend(map_blocks(order, items));
        return b;
    };
    b.push(Block::Field("工单点位".into(), format!("{}（纬度 {lat:.6}，经度 {lon:.6}）", order.address)));
    b.push(Block::Note("坐标均为 WGS-84（GPS 原始坐标，未转换为高德、百度等地图使用的 GCJ-02），距离为球面直线距离。".into()));
    for (i, item) in items.iter().enumerate() {
        let line = match (from_spot(order, item), &item.fix) {
            (Some(d), Some(f)) => format!("距点位 {d:.0} 米（定位精度 ±{:.0} 米）", f.accuracy_m),
            _ => "无定位，无法计算".into(),
        };
        b.push(Block::Paragraph(format!("证据 {}　{}　{line}", i + 1, beijing(captured_ms(item)))));
    }
    b.extend(map_blocks(order, items));
    b
}
