//! The workbench's routes: the page, the schema, the scenarios it may open, checking and
//! editing a scenario, a streamed preview run, and a comparison of designs.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};

use super::edit;
use super::{
    BODY_LIMIT, Entry, LESSON_CUSTOMERS, LESSON_TRIALS, MAX_REQUEST_TRIALS, MAX_RUNS,
    MAX_SWEEP_STEPS, Origin, PREVIEW_TRIALS, preview_trials,
};
use crate::decide::compare::compare_cancellable;
use crate::decide::sweep::{Axis, Sweep, sweep_cancellable};
use crate::learn::{Lesson, LessonOptions, run_lesson};
use crate::report::{Formats, decisions, figures, html, render_formats};
use crate::run::{RunOptions, RunOutput, run_cancellable};
use crate::scenario::{ScenarioError, ScenarioFile};

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");
const STYLE: &str = include_str!("page.css");

/// What every request can reach.
pub(crate) struct AppState {
    library: Vec<Entry>,
    runs: Arc<Semaphore>,
    schema: Value,
}

impl AppState {
    pub(crate) fn new(library: Vec<Entry>) -> AppState {
        AppState {
            library,
            runs: Arc::new(Semaphore::new(MAX_RUNS)),
            schema: crate::scenario::schema::json_schema(),
        }
    }
}

type Shared = State<Arc<AppState>>;

/// The routes, with the body limit.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { page(PAGE, "text/html; charset=utf-8") }),
        )
        .route(
            "/app.js",
            get(|| async { page(SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/app.css",
            get(|| async { page(STYLE, "text/css; charset=utf-8") }),
        )
        .route("/api/schema", get(schema))
        .route("/api/scenarios", get(scenarios))
        .route("/api/scenario", get(scenario))
        .route("/api/check", post(check))
        .route("/api/edit", post(edit_field))
        .route("/api/preview", post(preview))
        .route("/api/compare", post(compare_designs))
        .route("/api/sweep", post(sweep_field))
        .route("/api/lessons", get(lessons))
        .route("/api/lesson", post(lesson))
        .route("/api/document", post(document))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such page or request") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

fn page(body: &'static str, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// An error as the page shows it: a status, a sentence, and the scenario's problems if any.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    problems: Vec<ProblemJson>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    fn invalid(e: ScenarioError) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: format!(
                "the scenario has {} problem{}",
                e.problems.len(),
                if e.problems.len() == 1 { "" } else { "s" }
            ),
            problems: problems(&e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.message, "problems": self.problems })),
        )
            .into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        let status = r.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!(
                "the request is larger than the {} KiB a request may be",
                BODY_LIMIT >> 10
            )
        } else {
            format!(
                "the request is not what this address takes: {}",
                r.body_text()
            )
        };
        ApiError::new(status, message)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        ApiError::new(r.status(), r.body_text())
    }
}

/// One problem of a scenario, placed.
#[derive(Debug, Serialize)]
struct ProblemJson {
    field: String,
    message: String,
    line: usize,
    column: usize,
}

fn problems(e: &ScenarioError) -> Vec<ProblemJson> {
    e.problems
        .iter()
        .map(|p| ProblemJson {
            field: p.field.clone(),
            message: p.message.clone(),
            line: p.line,
            column: p.column,
        })
        .collect()
}

async fn schema(State(state): Shared) -> Json<Value> {
    Json(state.schema.clone())
}

async fn scenarios(State(state): Shared) -> Json<Value> {
    let list: Vec<Value> = state
        .library
        .iter()
        .map(|e| {
            let origin = match e.origin {
                Origin::Shipped(_) => "shipped",
                Origin::File(_) => "file",
            };
            json!({ "name": e.name, "origin": origin })
        })
        .collect();
    Json(json!({ "scenarios": list, "preview_trials": PREVIEW_TRIALS }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameQuery {
    name: String,
}

/// The text of a scenario of the list, by name; any other name (a path included) is not
/// found.
async fn scenario(
    State(state): Shared,
    query: Result<Query<NameQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query?;
    let entry = state
        .library
        .iter()
        .find(|e| e.name == q.name)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "no scenario named {:?}: the workbench opens the shipped scenarios and the files it was started with, by name",
                    crate::scenario::diagnostic::shorten(&q.name)
                ),
            )
        })?;
    let text = match &entry.origin {
        Origin::Shipped(text) => (*text).to_string(),
        Origin::File(path) => {
            let bytes =
                crate::input::read_limited(path, BODY_LIMIT as u64, false).map_err(|e| {
                    ApiError::new(
                        StatusCode::NOT_FOUND,
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
            String::from_utf8(bytes).map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("{} is not UTF-8 text", path.display()),
                )
            })?
        }
    };
    Ok(Json(described(&entry.name, text)))
}

/// A scenario's text with what the page needs: its fields as JSON, and its problems.
fn described(name: &str, text: String) -> Value {
    let document = toml::from_str::<toml::Table>(&text)
        .ok()
        .and_then(|t| serde_json::to_value(t).ok());
    let problems = match ScenarioFile::from_text(file_name(name), &text) {
        Ok(_) => Vec::new(),
        Err(e) => problems(&e),
    };
    json!({ "name": name, "toml": text, "document": document, "problems": problems })
}

/// The path a scenario is known by in messages and reports: its name as a file.
fn file_name(name: &str) -> PathBuf {
    let stem = std::path::Path::new(name).file_stem().map_or_else(
        || "scenario".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    PathBuf::from(format!("{stem}.toml"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequest {
    name: Option<String>,
    toml: String,
}

async fn check(
    payload: Result<Json<CheckRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(req) = payload?;
    let name = req.name.unwrap_or_else(|| "scenario".into());
    Ok(Json(described(&name, req.toml)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditRequest {
    name: Option<String>,
    toml: String,
    path: String,
    value: Value,
}

/// One field changed in the text, comments kept; the new text with its problems.
async fn edit_field(
    payload: Result<Json<EditRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(req) = payload?;
    let value = edit::toml_value(&req.value)
        .map_err(|why| ApiError::bad(format!("`{}`: {why}", req.path)))?;
    let text = edit::set_field(&req.toml, &req.path, value)
        .map_err(|why| ApiError::bad(format!("`{}`: {why}", req.path)))?;
    let name = req.name.unwrap_or_else(|| "scenario".into());
    Ok(Json(described(&name, text)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewRequest {
    name: Option<String>,
    toml: String,
    trials: Option<u64>,
}

fn trials_of(requested: Option<u64>, default: u64) -> Result<u64, ApiError> {
    match requested {
        None => Ok(default),
        Some(n) if (1..=MAX_REQUEST_TRIALS).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad(format!(
            "trials: expected a whole number from 1 to {MAX_REQUEST_TRIALS}, found {n}"
        ))),
    }
}

/// The lines of a streamed answer; when the page goes away (the body is dropped), the run
/// behind it is cancelled.
struct Lines {
    rx: mpsc::Receiver<Bytes>,
    cancel: Arc<AtomicBool>,
}

impl futures_core::Stream for Lines {
    type Item = Result<Bytes, std::convert::Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|line| line.map(Ok))
    }
}

impl Drop for Lines {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::SeqCst);
    }
}

fn line(value: &Value) -> Bytes {
    let mut text = value.to_string();
    text.push('\n');
    Bytes::from(text)
}

/// A simulation on the blocking pool, told to call the first argument after each trial and
/// to stop once the flag is set; its answer is the last line of the stream.
type Job = Box<dyn FnOnce(&(dyn Fn() + Sync), &AtomicBool) -> Value + Send>;

/// Streams a job's answer as newline-separated JSON: `{"queued": …}` while it waits for a free
/// slot, `{"done": k, "of": total}` as trials finish, then its answer (`{"result": …}` or
/// `{"error": …}`). When the page goes away (the body is dropped), the job is cancelled.
fn streamed(state: &AppState, total: u64, job: Job) -> Response {
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let cancel = Arc::new(AtomicBool::new(false));
    let body = Lines {
        rx,
        cancel: cancel.clone(),
    };
    let runs = state.runs.clone();
    tokio::spawn(async move {
        if runs.available_permits() == 0 {
            let _ = tx
                .send(line(&json!({ "queued": format!("{MAX_RUNS} runs are under way; this one starts when one ends") })))
                .await;
        }
        let Ok(_permit) = runs.acquire_owned().await else {
            return;
        };
        if cancel.load(Ordering::SeqCst) {
            return;
        }
        let progress = tx.clone();
        let done = AtomicU64::new(0);
        let answer = tokio::task::spawn_blocking(move || {
            let on_trial = || {
                let k = done.fetch_add(1, Ordering::Relaxed) + 1;
                // Progress is best effort: a full channel drops a step, never blocks a trial.
                let _ = progress.try_send(line(&json!({ "done": k, "of": total })));
            };
            job(&on_trial, &cancel)
        })
        .await
        .unwrap_or_else(|e| json!({ "error": format!("the run stopped unexpectedly: {e}") }));
        let _ = tx.send(line(&answer)).await;
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(body),
    )
        .into_response()
}

/// Runs a preview (or a full run, when the page asks for the scenario's trials), streamed (see
/// [`streamed`]).
async fn preview(
    State(state): Shared,
    payload: Result<Json<PreviewRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = payload?;
    let name = req.name.unwrap_or_else(|| "scenario".into());
    let file = ScenarioFile::from_text(file_name(&name), &req.toml).map_err(ApiError::invalid)?;
    let sim = &file.scenario.simulation;
    let trials = trials_of(req.trials, preview_trials(sim.customers, sim.months))?;
    Ok(streamed(
        &state,
        trials,
        Box::new(move |on_trial, cancel| {
            let options = RunOptions {
                trials: Some(trials),
                ..RunOptions::default()
            };
            match run_cancellable(&file, &options, on_trial, cancel) {
                Ok(run) => json!({ "result": result_json(&run) }),
                Err(e) => json!({ "error": e.to_string() }),
            }
        }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepRequest {
    name: Option<String>,
    toml: String,
    /// The field swept, e.g. `program.instant_discount.rate`.
    path: String,
    from: f64,
    to: f64,
    steps: usize,
    trials: Option<u64>,
}

/// Sweeps one field of the scenario with the `sweep` engine (NPV, highest best), streamed (see
/// [`streamed`]): every point on the same customers, `trials` each.
async fn sweep_field(
    State(state): Shared,
    payload: Result<Json<SweepRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = payload?;
    let name = req.name.unwrap_or_else(|| "scenario".into());
    let file = ScenarioFile::from_text(file_name(&name), &req.toml).map_err(ApiError::invalid)?;
    let trials = trials_of(req.trials, PREVIEW_TRIALS)?;
    if !(2..=MAX_SWEEP_STEPS).contains(&req.steps) {
        return Err(ApiError::bad(format!(
            "steps: expected a whole number from 2 to {MAX_SWEEP_STEPS}, found {}",
            req.steps
        )));
    }
    if !(req.from.is_finite() && req.to.is_finite()) || req.from == req.to {
        return Err(ApiError::bad(
            "from and to: expected two different numbers to sweep between",
        ));
    }
    let points = req.steps as u64;
    if points * trials > MAX_REQUEST_TRIALS {
        return Err(ApiError::bad(format!(
            "{} points × {trials} trials is more than the {MAX_REQUEST_TRIALS} trials a request may run",
            req.steps
        )));
    }
    let axis = Axis::probed(&file, &req.path, req.from, req.to, req.steps)
        .map_err(|why| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, why))?;
    let total = axis.values.len() as u64 * trials;
    Ok(streamed(
        &state,
        total,
        Box::new(move |on_trial, cancel| {
            let options = RunOptions {
                trials: Some(trials),
                ..RunOptions::default()
            };
            match sweep_cancellable(&file, &[axis], "npv", None, &options, on_trial, cancel) {
                Ok(s) => json!({ "result": sweep_json(&s, &file.scenario.finance.currency) }),
                Err(e) => json!({ "error": e.to_string() }),
            }
        }),
    ))
}

/// What the page shows of a sweep: its NPV curve (the sweep's own chart), and per point the
/// value, the median NPV with its band, the mean NPV ± its Monte Carlo error and the chance of
/// payback ± its error, rounded as the run's tables round them.
fn sweep_json(s: &Sweep, currency: &crate::money::Currency) -> Value {
    use crate::report::console::{Unit, show_error, stats_cells};
    let figures = decisions::sweep_figures(s, currency);
    let chart = figures
        .iter()
        .find(|f| f.name == "sweep_npv")
        .and_then(|f| f.svg().ok());
    let points: Vec<Value> = s
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let [median, p5, p95, mean] = stats_cells(&p.npv, Unit::Money, currency);
            let payback = format!(
                "{} ± {}",
                crate::report::console::show(p.payback_probability, Unit::Percent, currency),
                show_error(p.payback_probability_sem, Unit::Percent, currency)
            );
            json!({
                "at": p.at.first(),
                "at_text": p.at.first().map(|v| crate::report::labels::value(*v)),
                "npv_median": p.npv.p50,
                "npv_median_text": median,
                "npv_band_text": format!("{p5} … {p95}"),
                "npv_mean_text": mean,
                "payback_text": payback,
                "best": i == s.best,
                "as_good_as_best": s.as_good_as_best.contains(&i),
            })
        })
        .collect();
    json!({
        "path": s.axes.first().map(|a| a.path.clone()),
        "trials": s.trials,
        "chart": chart,
        "points": points,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentRequest {
    name: Option<String>,
    toml: String,
    trials: Option<u64>,
    /// `report` (report.html) or `workbook` (workbook.xlsx).
    kind: String,
}

/// Sets the flag when dropped: a request whose client goes away is dropped by the server,
/// and the run behind it stops.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs the scenario and answers with its report (`report.html`) or its workbook
/// (`workbook.xlsx`), the same files `run` writes for the same scenario, seed and trials, as a
/// download named after the scenario.
async fn document(
    State(state): Shared,
    payload: Result<Json<DocumentRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = payload?;
    let (formats, file_kind, content_type) = match req.kind.as_str() {
        "report" => (
            Formats {
                html: true,
                ..Formats::NONE
            },
            "report.html",
            "text/html; charset=utf-8",
        ),
        "workbook" => (
            Formats {
                xlsx: true,
                ..Formats::NONE
            },
            "workbook.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        other => {
            return Err(ApiError::bad(format!(
                "kind: expected report or workbook, found `{other}`"
            )));
        }
    };
    let name = req.name.unwrap_or_else(|| "scenario".into());
    let path = file_name(&name);
    let file = ScenarioFile::from_text(path.clone(), &req.toml).map_err(ApiError::invalid)?;
    let trials = trials_of(req.trials, PREVIEW_TRIALS)?;
    let cancel = Arc::new(AtomicBool::new(false));
    let _stop_if_dropped = CancelOnDrop(cancel.clone());
    let _permit =
        state.runs.clone().acquire_owned().await.map_err(|_| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping")
        })?;
    let bytes = tokio::task::spawn_blocking(move || {
        let options = RunOptions {
            trials: Some(trials),
            ..RunOptions::default()
        };
        let run = run_cancellable(&file, &options, &|| {}, &cancel).map_err(|e| e.to_string())?;
        render_formats(&run, formats)
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|(n, _)| n == file_kind)
            .map(|(_, b)| b)
            .ok_or_else(|| format!("the run wrote no {file_kind}"))
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the run stopped unexpectedly: {e}"),
        )
    })?
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    // The scenario's stem, in characters a file name and a header take anywhere.
    let stem: String = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let download = match file_kind {
        "report.html" => format!("{stem}-report.html"),
        _ => format!("{stem}.xlsx"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{download}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// What the page shows of a run: the verdict, the headline tables, the charts, and the
/// numbers a person (or a test) reads first.
fn result_json(run: &RunOutput) -> Value {
    let m = &run.summary.metrics;
    let md = &run.summary.metadata;
    let c = &run.scenario.finance.currency;
    let charts: Vec<Value> = figures::run_figures(run)
        .iter()
        .filter_map(|f| Some(json!({ "name": f.name, "svg": f.svg().ok()? })))
        .collect();
    // Rounded to what the Monte Carlo error supports, as in the tables.
    let [median, _, _, mean_and_error] =
        crate::report::console::stats_cells(&m.npv, crate::report::console::Unit::Money, c);
    let (mean, sem) = match mean_and_error.split_once(" ± ") {
        Some((mean, sem)) => (mean.to_string(), Some(sem.to_string())),
        None => (c.format(m.npv.mean), None),
    };
    json!({
        "verdict": crate::report::console::verdict(run),
        "tables": html::results_fragment(run),
        "charts": charts,
        "trials": md.trials,
        "customers": md.customers,
        "months": md.months,
        "currency": c.code,
        "npv_median": m.npv.p50,
        "npv_median_text": median,
        "npv_mean_text": mean,
        "npv_sem_text": sem,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Design {
    name: String,
    toml: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareRequest {
    designs: Vec<Design>,
    trials: Option<u64>,
}

/// Compares two to four designs with the `compare` engine, on the same customers and trials.
async fn compare_designs(
    State(state): Shared,
    payload: Result<Json<CompareRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(req) = payload?;
    if !(2..=4).contains(&req.designs.len()) {
        return Err(ApiError::bad(format!(
            "compare takes two to four designs, found {}",
            req.designs.len()
        )));
    }
    let trials = trials_of(req.trials, PREVIEW_TRIALS)?;
    let mut files = Vec::new();
    for d in &req.designs {
        let file = ScenarioFile::from_text(file_name(&d.name), &d.toml).map_err(|e| {
            let mut err = ApiError::invalid(e);
            err.message = format!("design {:?}: {}", d.name, err.message);
            err
        })?;
        files.push(file);
    }
    // A comparison whose page goes away (cancelled there, or closed) stops, like a run.
    let cancel = Arc::new(AtomicBool::new(false));
    let _stop_if_dropped = CancelOnDrop(cancel.clone());
    let _permit =
        state.runs.clone().acquire_owned().await.map_err(|_| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the workbench is stopping")
        })?;
    let out = tokio::task::spawn_blocking(move || {
        let options = RunOptions {
            trials: Some(trials),
            ..RunOptions::default()
        };
        let out =
            compare_cancellable(&files, &options, &|| {}, &cancel).map_err(|e| e.to_string())?;
        let refs: Vec<&ScenarioFile> = files.iter().collect();
        let seed = files.first().map_or(0, |f| f.scenario.simulation.seed);
        let provenance = decisions::Provenance::of(&refs, seed, trials);
        Ok::<_, String>(decisions::compare_text(&out, &provenance))
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the comparison stopped unexpectedly: {e}"),
        )
    })?
    .map_err(|why| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, why))?;
    Ok(Json(json!({ "text": out, "trials": trials })))
}

/// The classroom lessons, each with its lever (the page's slider).
async fn lessons() -> Json<Value> {
    let list: Vec<Value> = Lesson::ALL
        .iter()
        .map(|l| {
            json!({
                "name": l.name(),
                "title": l.title(),
                "summary": l.summary(),
                "lever": l.lever(),
            })
        })
        .collect();
    Json(json!({ "lessons": list, "trials": LESSON_TRIALS, "customers": LESSON_CUSTOMERS }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonRequest {
    name: String,
    /// The lesson's lever at this value (the file's when absent).
    value: Option<f64>,
}

/// Runs a lesson with the learn engine, its lever at the value asked, on fewer trials and
/// customers than `loyalty-sim learn` (the page answers a slider): its story, tables and charts.
async fn lesson(
    State(state): Shared,
    payload: Result<Json<LessonRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(req) = payload?;
    let lesson = Lesson::named(&req.name).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no lesson named {:?}: the lessons are {}",
                crate::scenario::diagnostic::shorten(&req.name),
                Lesson::ALL.map(Lesson::name).join(", ")
            ),
        )
    })?;
    let lever = lesson.lever();
    if let Some(v) = req.value
        && !(v.is_finite() && (lever.min..=lever.max).contains(&v))
    {
        return Err(ApiError::bad(format!(
            "value: {} goes from {} to {}, found {v}",
            lever.path, lever.min, lever.max
        )));
    }
    let permit =
        state.runs.clone().acquire_owned().await.map_err(|_| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the workbench is stopping")
        })?;
    let options = LessonOptions {
        trials: Some(LESSON_TRIALS),
        customers: Some(LESSON_CUSTOMERS),
        lever: req.value,
        ..LessonOptions::default()
    };
    let answer = tokio::task::spawn_blocking(move || {
        // The lesson holds its slot until it ends, even when its page has moved the lever on
        // and no longer waits for it: so a slider dragged fast never runs more than MAX_RUNS.
        let _permit = permit;
        let out = run_lesson(lesson, &options).map_err(|e| e.to_string())?;
        let charts: Vec<Value> = out
            .figures
            .iter()
            .filter_map(|f| {
                Some(json!({ "name": f.figure.name, "caption": f.caption, "svg": f.figure.svg().ok()? }))
            })
            .collect();
        Ok::<_, String>(json!({
            "name": lesson.name(),
            "title": lesson.title(),
            "value": req.value.unwrap_or(lever.value),
            "sections": out.sections,
            "conclusion": out.conclusion,
            "facts": out.facts,
            "charts": charts,
            "trials": out.provenance.trials,
            "customers": out.provenance.customers,
        }))
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the lesson stopped unexpectedly: {e}"),
        )
    })?
    .map_err(|why| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, why))?;
    Ok(Json(answer))
}
