//! Carrying out each subcommand against the core.

use std::path::Path;

use siteproof_core::{Device, Error, NewOrder, OrderUpdate, Result};

use crate::args::{CaptureCmd, Cli, Command, OrdersCmd, VisitsCmd};
use crate::{home, inspect, output, sync_cmd};

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    if let Command::Inspect { file } = &cli.command {
        let v = inspect::inspect(file)?;
        if json {
            println!("{v}");
        } else {
            output::json(&v);
        }
        return Ok(());
    }
    let home = home::resolve(cli.home)?;
    let device = home::open(&home)?;
    match cli.command {
        Command::Init => {
            let info = device.info()?;
            if json {
                output::json(&serde_json::json!({"device_id": info.device_id, "public_key": info.public_key, "home": home}));
            } else {
                println!("设备已就绪 / device ready: {}  key {}", info.device_id, info.public_key);
            }
        }
        Command::Orders(cmd) => orders(&device, cmd, json)?,
        Command::Visits(cmd) => visits(&device, cmd, json)?,
        Command::Capture(cmd) => capture(&device, cmd, json)?,
        Command::Import { file, from, order } => {
            show_item(&device.import_received(Path::new(&file), &from, home::import_context(order)?)?, json);
        }
        Command::Note { text, at } => {
            let item = device.add_note(&text, home::capture_context(&at)?)?;
            show_item(&item, json);
        }
        Command::Attach { item, order } => {
            let ctx = home::capture_context(&crate::args::CaptureAt { order: None, visit: None, fix: no_fix() })?;
            show_item(&device.attach_to_order(&item, &order, ctx)?, json);
        }
        Command::Share(cmd) => crate::share_cmd::run(&device, cmd, json)?,
        Command::Items { order, unfiled } => {
            let items = device.list_items(order, unfiled)?;
            if json {
                output::json(&items);
            } else {
                items.iter().for_each(output::item);
            }
        }
        Command::Queue { jobs } => {
            // Thumbnails owed from earlier captures are made here, like the phone's background worker.
            derivatives_or_warn(&device);
            let status = device.queue_status()?;
            if json {
                let mut v = serde_json::to_value(&status).expect("serializable");
                if jobs {
                    v["jobs"] = serde_json::to_value(device.queue_jobs()?).expect("serializable");
                }
                output::json(&v);
            } else {
                output::queue(&status);
                if jobs {
                    for j in device.queue_jobs()? {
                        println!(
                            "  {} {} {} {} bytes {} {}",
                            j.id,
                            j.state,
                            j.part,
                            j.bytes,
                            j.item_id,
                            j.last_error.as_deref().unwrap_or("")
                        );
                    }
                }
            }
        }
        Command::Verify { .. } => {
            let report = device.verify()?;
            if json {
                output::json(&serde_json::json!({"ok": report.ok(), "report": report}));
            } else {
                output::verify(&report);
            }
            if !report.ok() {
                return Err(Error::Integrity(format!("{} problem(s) found", report.problems.len())));
            }
        }
        Command::Enroll { url, code, name } => sync_cmd::enroll(&device, &url, &code, &name, json)?,
        Command::Sync { wait, chunk_kib } => sync_cmd::sync(&device, wait, chunk_kib, json)?,
        Command::Token => sync_cmd::token(&device)?,
        Command::RetryFailed => {
            let n = device.retry_failed_jobs()?;
            println!("{n} 个任务已重新排队 / job(s) queued again");
        }
        Command::Prune { older_than_days } => {
            let cutoff = siteproof_core::now_ms() - i64::from(older_than_days) * 86_400_000;
            let r = device.prune_acknowledged(cutoff)?;
            if json {
                output::json(&r);
            } else {
                println!("已清理/pruned {} originals, {} bytes", r.originals_removed, r.bytes_freed);
            }
        }
        Command::Inspect { .. } => unreachable!("handled above"),
    }
    Ok(())
}

pub(crate) fn no_fix() -> crate::args::FixArgs {
    crate::args::FixArgs { lat: None, lon: None, accuracy: 0.0, alt: None, provider: String::new(), mock: false, fix_age_s: 0 }
}

fn show_item(item: &siteproof_core::EvidenceItem, json: bool) {
    if json {
        output::json(item);
    } else {
        output::item(item);
    }
}

fn parse_time(what: &str, s: Option<String>) -> Result<Option<i64>> {
    s.map(|s| {
        chrono::DateTime::parse_from_rfc3339(&s)
            .map(|t| t.timestamp_millis())
            .map_err(|e| Error::InvalidInput(format!("{what} {s:?} is not an RFC 3339 time: {e}")))
    })
    .transpose()
}

fn orders(device: &Device, cmd: OrdersCmd, json: bool) -> Result<()> {
    let show = |o: &siteproof_core::WorkOrder| if json { output::json(o) } else { output::order(o) };
    match cmd {
        OrdersCmd::Add(a) => {
            let (spot_lat, spot_lon) = match a.spot.as_deref() {
                None => (None, None),
                Some(s) => {
                    let parts: Vec<f64> = s
                        .split(',')
                        .map(|p| p.trim().parse::<f64>())
                        .collect::<Result<_, _>>()
                        .map_err(|_| Error::InvalidInput(format!("spot {s:?} must be LAT,LON")))?;
                    match parts[..] {
                        [lat, lon] => (Some(lat), Some(lon)),
                        _ => return Err(Error::InvalidInput(format!("spot {s:?} must be LAT,LON"))),
                    }
                }
            };
            let o = device.add_order(NewOrder {
                number: a.number,
                kind: a.kind,
                category: a.category,
                address: a.address,
                spot_lat,
                spot_lon,
                content: a.content,
                dispatched_at_ms: parse_time("dispatch time", a.dispatched)?,
                deadline_ms: parse_time("deadline", a.deadline)?,
            })?;
            show(&o);
        }
        OrdersCmd::List => {
            let list = device.list_orders()?;
            if json {
                output::json(&list);
            } else {
                list.iter().for_each(output::order);
            }
        }
        OrdersCmd::Show { number } => show(&device.get_order(&number)?),
        OrdersCmd::Update(u) => show(&device.update_order(
            &u.number,
            OrderUpdate {
                status: u.status,
                tag_type: u.tag_type,
                tag_handling: u.handling,
                tag_callback: u.callback,
                knowledge: u.knowledge,
                notes: u.notes,
            },
        )?),
    }
    Ok(())
}

fn visits(device: &Device, cmd: VisitsCmd, json: bool) -> Result<()> {
    let now = siteproof_core::now_ms();
    let show = |v: &siteproof_core::Visit| if json { output::json(v) } else { output::visit(v) };
    match cmd {
        VisitsCmd::Start { order, purpose, fix } => show(&device.start_visit(order, &purpose, home::fix(&fix, now))?),
        VisitsCmd::End { id, fix } => show(&device.end_visit(&id, home::fix(&fix, now))?),
        VisitsCmd::List { order } => {
            let list = device.list_visits(order)?;
            if json {
                output::json(&list);
            } else {
                list.iter().for_each(output::visit);
            }
        }
    }
    Ok(())
}

/// Makes owed thumbnails and previews; a failure is a warning, because they are retried later.
fn derivatives_or_warn(device: &Device) {
    if let Err(e) = device.make_pending_derivatives() {
        eprintln!("警告：缩略图稍后再生成 / warning: thumbnails will be made later: {e}");
    }
}

fn capture(device: &Device, cmd: CaptureCmd, json: bool) -> Result<()> {
    let item = match cmd {
        CaptureCmd::Photo { file, at, no_derivatives } => {
            let item = device.capture_photo(Path::new(&file), home::capture_context(&at)?)?;
            if !no_derivatives {
                // The capture is already durable and queued: a thumbnail that cannot be made now
                // (disk full, say) must not make the worker think the photo was lost.
                derivatives_or_warn(device);
            }
            item
        }
        CaptureCmd::Voice { file, at } => device.capture_voice(Path::new(&file), home::capture_context(&at)?)?,
        CaptureCmd::Video { file, at, poster } => {
            let item = device.capture_video(Path::new(&file), home::capture_context(&at)?)?;
            if let Some(frame) = poster {
                // The clip is already durable and queued: a frame that cannot be used costs only the poster.
                if let Err(e) = device.set_video_poster(&item.item_id, &frame) {
                    eprintln!("未能生成封面 / no poster made: {e}");
                }
            }
            item
        }
    };
    show_item(&item, json);
    Ok(())
}
