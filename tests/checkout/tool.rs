//! `warm-kiosk scanner test`: one line per scan, kind and meaning or why rejected, read from a
//! real pty through the same reader the kiosk uses.

use crate::pty::Scanner;
use crate::story::with_check;
use std::process::Command;

#[test]
fn the_scanner_test_tool_describes_each_scan() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyScanner");
    let mut scanner = Scanner::plug(&link);
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!("[scanner]\nport = \"{}\"\nretry_seconds = 1\n[volunteer]\nbadge = \"VOL-1\"\n", link.display()),
    )
    .unwrap();
    let label = with_check("220000200523");
    scanner.send(
        format!(
            "6952022100012\r\n96385074\n036000291452\r{label}\r\nWM1:O:0196a3b2-7c4e-7d21-9f3a-2b5c8d1e4f60\r\n\
             6952022100013\r\nhello\r\nVOL-1\r\n69\x0052\r\n"
        )
        .as_bytes(),
    );
    let run = Command::new(env!("CARGO_BIN_EXE_warm-kiosk"))
        .arg("--config")
        .arg(&config)
        .args(["scanner", "test", "--count", "9"])
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let out: Vec<String> = String::from_utf8(run.stdout).unwrap().lines().map(str::to_owned).collect();
    let lines: Vec<&str> = out.iter().map(String::as_str).filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 9, "{out:#?}");
    assert_eq!(lines[0], "EAN-13  6952022100012  东北大米 5公斤/袋 ￥39.90");
    assert_eq!(lines[1], "EAN-8  96385074  未找到商品");
    assert_eq!(lines[2], "UPC-A  036000291452  未找到商品");
    assert_eq!(lines[3], format!("WEIGHED  {label}  item 00002 = 黄瓜  ￥5.23  → ￥5.23"));
    assert_eq!(lines[4], "SLIP  0196a3b2-7c4e-7d21-9f3a-2b5c8d1e4f60");
    assert_eq!(lines[5], "REJECTED  \"6952022100013\"  EAN-13 校验位不对，请重扫");
    assert_eq!(lines[6], "REJECTED  \"hello\"  不是商品条码，也不是取货单");
    assert_eq!(lines[7], "BADGE  志愿者模式");
    assert_eq!(lines[8], "REJECTED  扫码枪发来的不是条码：第 2 个字节是空字节");
    assert!(out[0].starts_with("# 扫码枪：已连接"), "{out:#?}");
}

/// KNOWN-DEFECTS: `warm-kiosk pin`'s output appended to the sample configuration made a second
/// `[volunteer]` table. Its one line of output now replaces the line in the file.
#[test]
fn the_pin_command_prints_the_line_that_replaces_the_one_in_the_configuration() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_warm-kiosk"))
        .arg("pin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"13579\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let (printed, said) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "{said}");
    assert!(said.contains("[volunteer]"), "says where the line goes: {said}");
    let line = printed.trim_end();
    assert!(line.starts_with("pin_hash = ") && !line.contains('\n'), "{printed}");
    let sample = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/kiosk.toml")).unwrap();
    let (head, tail) = sample.split_once("[volunteer]").unwrap();
    let old = tail.lines().find(|l| l.starts_with("pin_hash")).unwrap();
    let edited = format!("{head}[volunteer]{}", tail.replacen(old, line, 1));
    let config = warm_kiosk::config::Config::parse(&edited).unwrap();
    assert!(warm_core::domain::pin::matches(&config.volunteer.pin_hash, "13579"));
    assert!(!warm_core::domain::pin::matches(&config.volunteer.pin_hash, "2468"));
}
