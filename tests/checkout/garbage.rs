//! Garbage from the scanner never crashes the reader, never grows its memory, and every piece of
//! it is rejected with a reason; good codes around it still arrive. Unplug and replug mid-stream.

use crate::pty::{Scanner, config, connected, line, next, start};
use warm_kiosk::device::scanner::{LineError, LineReader, ScannerEvent, ScannerLink};

#[test]
fn random_bytes_long_lines_nul_and_binary_through_the_reader() {
    // Straight through the line reader first: 100,000 random bytes in random-sized reads.
    let mut rng = fastrand::Rng::with_seed(4);
    let mut reader = LineReader::new(512);
    let garbage: Vec<u8> = (0..100_000).map(|_| rng.u8(..)).collect();
    let (mut lines, mut at) = (0usize, 0usize);
    while at < garbage.len() {
        let n = rng.usize(1..=300).min(garbage.len() - at);
        reader.push(&garbage[at..at + n], |_| lines += 1);
        at += n;
        assert!(reader.pending() <= 512 && reader.capacity() <= 1024, "memory stays bounded");
    }
    assert!(lines > 100, "random bytes hold many CR/LF, so many lines (all judged): {lines}");
    // After the garbage (its unfinished last line ends at the next CR), a good code still reads.
    let after = reader.lines(b"\r\n6952022100012\r\n");
    assert_eq!(after.last(), Some(&Ok("6952022100012".to_owned())));
    assert!(after.len() <= 2);

    // A 10 MB line with no terminator: dropped as it comes, reported once its end arrives.
    let mut reader = LineReader::new(512);
    let chunk = vec![b'8'; 64 * 1024];
    for _ in 0..160 {
        assert!(reader.lines(&chunk).is_empty());
        assert!(reader.capacity() <= 1024);
    }
    assert_eq!(reader.lines(b"\n"), vec![Err(LineError::TooLong { bytes: 160 * 64 * 1024, max: 512 })]);
}

#[test]
fn garbage_over_a_real_pty_then_a_good_code() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("scanner");
    let mut scanner = Scanner::plug(&link);
    let mut rx = start(&config(&link));
    connected(&mut rx);

    scanner.send(b"69\x0052\r\n");
    assert_eq!(line(&mut rx), ScannerEvent::Line(Err(LineError::Nul { at: 2 })));
    scanner.send(b"\xff\xfe\xfd\r");
    assert_eq!(line(&mut rx), ScannerEvent::Line(Err(LineError::NotUtf8 { at: 0 })));

    // 10 MB without a terminator, written from another thread (the pty buffer is small).
    let mut writer = scanner.master.try_clone_native().unwrap();
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        let chunk = vec![b'5'; 64 * 1024];
        for _ in 0..160 {
            writer.write_all(&chunk).unwrap();
        }
        writer.write_all(b"\r\n").unwrap();
    });
    match line(&mut rx) {
        ScannerEvent::Line(Err(LineError::TooLong { bytes, .. })) => assert_eq!(bytes, 160 * 64 * 1024),
        other => panic!("{other:?}"),
    }
    feeder.join().unwrap();

    // 100,000 random bytes with no CR/LF in them, then a terminator: one rejection, no crash.
    let mut rng = fastrand::Rng::with_seed(9);
    let random: Vec<u8> = (0..100_000).map(|_| rng.u8(..)).filter(|b| *b != b'\r' && *b != b'\n').collect();
    let mut writer = scanner.master.try_clone_native().unwrap();
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        writer.write_all(&random).unwrap();
        writer.write_all(b"\n").unwrap();
    });
    assert!(matches!(line(&mut rx), ScannerEvent::Line(Err(LineError::TooLong { .. }))));
    feeder.join().unwrap();

    scanner.send(b"6952022100012\r\n");
    assert_eq!(line(&mut rx), ScannerEvent::Line(Ok("6952022100012".into())));
}

#[test]
fn unplug_and_replug_mid_stream() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("scanner");
    let mut scanner = Scanner::plug(&link);
    let mut rx = start(&config(&link));
    connected(&mut rx);
    scanner.send(b"6952022100012\r\n6952022");
    assert_eq!(line(&mut rx), ScannerEvent::Line(Ok("6952022100012".into())));

    // Unplugged halfway through a code: the half code is dropped, the screen hears about it.
    drop(scanner);
    let _ = std::fs::remove_file(&link);
    match next(&mut rx) {
        ScannerEvent::Link(ScannerLink::Disconnected { reason, .. }) => assert!(!reason.is_empty()),
        other => panic!("expected Disconnected, got {other:?}"),
    }

    // Plugged back in (a new device behind the same name): reconnects by itself.
    let mut scanner = Scanner::plug(&link);
    connected(&mut rx);
    scanner.send(b"100029\r\n6952022100036\r\n");
    assert_eq!(line(&mut rx), ScannerEvent::Line(Ok("100029".into())), "the rest of the cut code is its own line");
    assert_eq!(line(&mut rx), ScannerEvent::Line(Ok("6952022100036".into())));
}
