//! The workbench's server (`loyalty-sim serve`) over real HTTP: malformed requests get a 4xx
//! with a readable message and the server keeps serving; a path outside its list is not
//! opened; two sessions running at once each get their own results; a client that goes
//! away mid-run stops the run.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A server started for one test, stopped when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_loyalty-sim"))
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // "loyalty-sim workbench: http://127.0.0.1:PORT/"
        let url = first.trim().rsplit(' ').next().unwrap().to_string();
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        assert!(address.starts_with("127.0.0.1:"), "{first}");
        Server { child, address }
    }

    /// Sends one request and reads the whole answer: (status, body).
    fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.address,
            body.len()
        )
        .unwrap();
        // A server may answer (e.g. 413) before reading a large body: a failed write is fine.
        let _ = stream.write_all(body);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status: u16 = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {text:?}"));
        let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        (status, dechunk(body))
    }

    fn post(&self, path: &str, body: &Value) -> (u16, String) {
        self.request("POST", path, body.to_string().as_bytes())
    }

    /// CPU time the server has used so far (user + system), from /proc.
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_millis(ticks * 10)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The body of a chunked answer, joined.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            return body.to_string();
        };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    if out.is_empty() {
        body.to_string()
    } else {
        out
    }
}

fn error_of(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    v["error"].as_str().unwrap().to_string()
}

fn shipped(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml")),
    )
    .unwrap()
}

/// The last line of a streamed preview: its result (or error).
fn preview_result(body: &str) -> Value {
    let last = body.lines().rfind(|l| !l.is_empty()).unwrap();
    serde_json::from_str(last).unwrap()
}

#[test]
fn malformed_requests_get_a_readable_4xx_and_the_server_keeps_serving() {
    let server = Server::start(&[]);
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "POST",
            "/api/check",
            b"{not json".to_vec(),
            400,
            "not what this address takes",
        ),
        (
            "POST",
            "/api/check",
            br#"{"toml": "", "colour": 1}"#.to_vec(),
            422,
            "unknown field `colour`",
        ),
        (
            "GET",
            "/api/scenario?name=..%2F..%2F..%2Fetc%2Fpasswd",
            Vec::new(),
            404,
            "no scenario named \"../../../etc/passwd\"",
        ),
        (
            "GET",
            "/api/scenario?name=%2Fetc%2Fhostname",
            Vec::new(),
            404,
            "no scenario named",
        ),
        (
            "POST",
            "/api/check",
            vec![b' '; 2 << 20],
            413,
            "larger than the 1024 KiB",
        ),
        (
            "POST",
            "/api/edit",
            json!({ "toml": "[a]\nb = 1\n", "path": "a.b[7].c", "value": 1 })
                .to_string()
                .into_bytes(),
            400,
            "`a.b[7].c`",
        ),
        (
            "POST",
            "/api/preview",
            json!({ "toml": "[simulation]\nmonths = 0\n" })
                .to_string()
                .into_bytes(),
            422,
            "the scenario has",
        ),
        (
            "POST",
            "/api/preview",
            json!({ "toml": shipped("retail_points"), "trials": 0 })
                .to_string()
                .into_bytes(),
            400,
            "trials: expected a whole number from 1",
        ),
        (
            "POST",
            "/api/compare",
            json!({ "designs": [{ "name": "a", "toml": shipped("retail_points") }] })
                .to_string()
                .into_bytes(),
            400,
            "two to four designs",
        ),
        (
            "POST",
            "/api/sweep",
            json!({ "toml": shipped("retail_instant_discount"), "path": "program.instant_discount.rate", "from": 0, "to": 0.1, "steps": 30 })
                .to_string()
                .into_bytes(),
            400,
            "steps: expected a whole number from 2 to 11",
        ),
        (
            "POST",
            "/api/sweep",
            json!({ "toml": shipped("retail_instant_discount"), "path": "program.colour", "from": 0, "to": 1, "steps": 3 })
                .to_string()
                .into_bytes(),
            422,
            "`program.colour`: unknown field",
        ),
        (
            "POST",
            "/api/lesson",
            json!({ "name": "../types" }).to_string().into_bytes(),
            404,
            "no lesson named \"../types\"",
        ),
        (
            "POST",
            "/api/lesson",
            json!({ "name": "discount-trap", "value": 2 })
                .to_string()
                .into_bytes(),
            400,
            "program.instant_discount.rate goes from 0.01 to 0.3",
        ),
        ("GET", "/etc/passwd", Vec::new(), 404, "no such page"),
    ];
    for (method, path, body, status, message) in cases {
        let (got, answer) = server.request(method, path, &body);
        assert_eq!(got, status, "{method} {path}: {answer}");
        let error = error_of(&answer);
        assert!(error.contains(message), "{method} {path}: {error}");
        // Still serving after each.
        let (ok, list) = server.request("GET", "/api/scenarios", b"");
        assert_eq!(ok, 200, "{list}");
    }
    // A scenario with problems gets them by field, as the validator words them.
    let (status, answer) = server.post(
        "/api/check",
        &json!({ "toml": shipped("retail_points").replace("months = 36", "months = 0") }),
    );
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(v["problems"][0]["field"], "simulation.months", "{v}");
}

#[test]
fn an_edit_keeps_the_comments_and_the_page_is_served() {
    let server = Server::start(&[]);
    let (status, page) = server.request("GET", "/", b"");
    assert_eq!(status, 200);
    assert!(page.contains("loyalty-sim workbench"), "{page}");
    let text = shipped("retail_instant_discount");
    let (status, answer) = server.post(
        "/api/edit",
        &json!({ "toml": text, "path": "program.instant_discount.rate", "value": 0.08 }),
    );
    assert_eq!(status, 200, "{answer}");
    let v: Value = serde_json::from_str(&answer).unwrap();
    let edited = v["toml"].as_str().unwrap();
    assert!(edited.contains("rate = 0.08\n"), "{edited}");
    assert!(edited.contains("# Retail chain: a member discount at the till."));
    assert_eq!(v["document"]["program"]["instant_discount"]["rate"], 0.08);
    assert_eq!(v["problems"], json!([]));
}

#[test]
fn two_sessions_at_once_each_get_their_own_result() {
    let server = Server::start(&[]);
    let low = shipped("retail_instant_discount");
    let high = low.replace("rate = 0.05", "rate = 0.10");
    assert_ne!(low, high);
    let run = |toml: &str| {
        let (status, body) = server.post("/api/preview", &json!({ "toml": toml, "trials": 3 }));
        assert_eq!(status, 200, "{body}");
        preview_result(&body)["result"]["npv_median"]
            .as_f64()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&low));
        let b = s.spawn(|| run(&high));
        (a.join().unwrap(), b.join().unwrap())
    });
    // Each equals the same preview run alone: nothing of one session leaks into the other.
    assert_eq!(a, run(&low));
    assert_eq!(b, run(&high));
    // Doubling the discount on the same customers costs margin: the NPV falls.
    assert!(b < a, "{a} {b}");
}

/// Posts `body` to `path` on a connection of its own and returns that connection once the
/// server has used half a second of CPU on it (the work is under way).
fn post_and_wait_for_cpu(server: &Server, path: &str, body: &str) -> TcpStream {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let started = Instant::now();
    while server.cpu() < Duration::from_millis(500) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the work posted to {path} did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    stream
}

/// Closes the client's connection and checks the server stops computing: trials already
/// started finish (at most one per worker thread), then nothing more.
fn assert_stops_when_left(server: &Server, stream: TcpStream) {
    drop(stream);
    std::thread::sleep(Duration::from_secs(3));
    let before = server.cpu();
    std::thread::sleep(Duration::from_secs(2));
    let used = server.cpu() - before;
    assert!(
        used < Duration::from_millis(300),
        "the server kept computing after its client left: {used:?} of CPU in 2 s"
    );
}

#[test]
fn a_client_that_goes_away_stops_its_run() {
    let server = Server::start(&[]);
    let body = json!({ "toml": shipped("retail_instant_discount"), "trials": 100_000 }).to_string();
    let mut stream = TcpStream::connect(&server.address).unwrap();
    write!(
        stream,
        "POST /api/preview HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Wait for the first trial to finish: the run is under way.
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    let started = Instant::now();
    while !line.contains("\"done\"") {
        line.clear();
        reader.read_line(&mut line).unwrap();
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
    }
    drop(reader);
    assert_stops_when_left(&server, stream);
    // And it still serves.
    let (status, _) = server.request("GET", "/api/scenarios", b"");
    assert_eq!(status, 200);
}

/// The report's verdict paragraph (`<p class="verdict">…</p>`).
fn verdict_of(report: &str) -> String {
    let start = report.find("<p class=\"verdict\">").unwrap();
    let end = start + report[start..].find("</p>").unwrap();
    report[start..end].to_string()
}

#[test]
fn the_page_downloads_the_report_and_the_workbook_that_run_writes() {
    let server = Server::start(&[]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = root.join("tests/data/small_points.toml");
    let toml = std::fs::read_to_string(&scenario).unwrap();
    let request = |kind: &str| json!({ "name": "small_points.toml", "toml": toml, "trials": 3, "kind": kind });
    // The command's files for the same scenario, seed and trials.
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_loyalty-sim"))
        .args(["run", scenario.to_str().unwrap(), "--trials", "3", "-q"])
        .args([
            "--formats",
            "html,xlsx",
            "--out",
            out.path().to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let expected = std::fs::read_to_string(out.path().join("report.html")).unwrap();

    let (status, report) = server.post("/api/document", &request("report"));
    assert_eq!(status, 200, "{report}");
    assert!(report.starts_with("<!DOCTYPE html>"), "{}", &report[..80]);
    // The same run: the verdict word for word.
    assert_eq!(verdict_of(&report), verdict_of(&expected));

    let (status, workbook) = server.post("/api/document", &request("workbook"));
    assert_eq!(status, 200);
    // An xlsx file is a zip archive.
    assert!(
        workbook.starts_with("PK"),
        "{}",
        &workbook[..20.min(workbook.len())]
    );

    let (status, body) = server.post(
        "/api/document",
        &json!({ "toml": toml, "trials": 3, "kind": "pdf" }),
    );
    assert_eq!(status, 400);
    assert_eq!(
        error_of(&body),
        "kind: expected report or workbook, found `pdf`"
    );
    let (status, body) = server.post(
        "/api/document",
        &json!({ "toml": "[simulation]\ncustomers = -1\n", "kind": "report" }),
    );
    assert_eq!(status, 422, "{body}");
}

#[test]
fn a_client_that_goes_away_stops_its_document_run() {
    let server = Server::start(&[]);
    let body =
        json!({ "toml": shipped("retail_instant_discount"), "trials": 100_000, "kind": "report" })
            .to_string();
    let stream = post_and_wait_for_cpu(&server, "/api/document", &body);
    assert_stops_when_left(&server, stream);
}

#[test]
fn a_sweep_runs_the_design_at_each_value_on_the_same_customers() {
    let server = Server::start(&[]);
    let low = shipped("retail_instant_discount");
    let high = low.replace("rate = 0.05", "rate = 0.10");
    let (status, body) = server.post(
        "/api/sweep",
        &json!({ "toml": low, "path": "program.instant_discount.rate", "from": 0.05, "to": 0.10, "steps": 2, "trials": 3 }),
    );
    assert_eq!(status, 200, "{body}");
    // Progress counts the trials of every point: 2 points × 3 trials.
    assert!(body.contains("\"of\":6"), "{body}");
    let result = preview_result(&body)["result"].clone();
    let points = result["points"].as_array().unwrap();
    assert_eq!(points.len(), 2, "{result}");
    let median = |p: &Value| p["npv_median"].as_f64().unwrap();
    // Each point is the design run at that value with the same seed and trials: the preview of
    // the file that says it.
    let preview = |toml: &str| {
        let (_, body) = server.post("/api/preview", &json!({ "toml": toml, "trials": 3 }));
        preview_result(&body)["result"]["npv_median"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(median(&points[0]), preview(&low));
    assert_eq!(median(&points[1]), preview(&high));
    // Twice the discount on the same customers: the NPV falls, and the lower rate is best.
    assert!(median(&points[1]) < median(&points[0]), "{result}");
    assert_eq!(points[0]["best"], true);
    assert_eq!(points[0]["at_text"], "0.05");
    // The mean carries its Monte Carlo error, and the curve is the sweep's own chart.
    let mean = points[0]["npv_mean_text"].as_str().unwrap();
    assert!(mean.contains(" ± "), "{mean}");
    assert!(result["chart"].as_str().unwrap().contains("<svg"));
}

#[test]
fn a_client_that_goes_away_stops_its_comparison() {
    let server = Server::start(&[]);
    let low = shipped("retail_instant_discount");
    let high = low.replace("rate = 0.05", "rate = 0.10");
    let body = json!({
        "designs": [{ "name": "low", "toml": low }, { "name": "high", "toml": high }],
        "trials": 100_000,
    })
    .to_string();
    let stream = post_and_wait_for_cpu(&server, "/api/compare", &body);
    assert_stops_when_left(&server, stream);
}

#[test]
fn a_lesson_answers_its_lever() {
    let server = Server::start(&[]);
    let (status, list) = server.request("GET", "/api/lessons", b"");
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&list).unwrap();
    let names: Vec<&str> = list["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["types", "discount-trap", "threshold", "rfm"]);
    // The trap's lever is its discount, at the lesson file's 10%.
    let trap = &list["lessons"][1]["lever"];
    assert_eq!(trap["path"], "program.instant_discount.rate");
    assert_eq!(trap["value"], 0.1);

    let at = |value: f64| {
        let (status, body) = server.post(
            "/api/lesson",
            &json!({ "name": "discount-trap", "value": value }),
        );
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()
    };
    let fact = |lesson: &Value, key: &str| {
        lesson["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == key)
            .unwrap_or_else(|| panic!("no fact {key}"))["value"]
            .as_f64()
            .unwrap()
    };
    let (small, large) = (at(0.05), at(0.2));
    // A bigger discount on the same customers pays more of the margin away.
    assert!(fact(&large, "npv_discount") < fact(&small, "npv_discount"));
    assert!(fact(&large, "reward_cost_discount") > fact(&small, "reward_cost_discount"));
    // The points design is not the lever's: it stays as it was.
    assert_eq!(fact(&large, "npv_points"), fact(&small, "npv_points"));
    // The story, its table by loyalty type and its charts.
    assert!(!small["sections"].as_array().unwrap().is_empty());
    assert!(small["charts"][0]["svg"].as_str().unwrap().contains("<svg"));
}
