//! The `atollon sandbox` command as a process: flags, the printed URL and a clean stop on
//! SIGINT (what Ctrl-C sends).

mod sandbox_common;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use atollon_client::xml::Secret;
use sandbox_common::{create_person, demo_login, not_ok_text, Api};

/// Maximum time the process gets to stop after SIGINT.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// The running command. Dropping it kills the process if a test failed before it stopped,
/// so no process outlives the test. It keeps the stdout pipe open, because the command
/// fails to print into a closed pipe.
struct Running {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts `atollon sandbox` with `arguments` and returns it with the SOAP URL it printed.
fn spawn_sandbox(arguments: &[&str]) -> (Running, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_atollon"))
        .arg("sandbox")
        .args(arguments)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => panic!("cannot start atollon: {error}"),
    };
    let Some(stdout) = child.stdout.take() else {
        panic!("no stdout pipe");
    };
    let mut running = Running {
        child,
        stdout: BufReader::new(stdout),
    };
    let mut url = None;
    let mut printed = String::new();
    // The start-up text ends with the line about Ctrl-C.
    while !printed.contains("Press Ctrl-C to stop.") {
        let mut line = String::new();
        match running.stdout.read_line(&mut line) {
            Ok(0) => panic!("the command ended before it was ready; it printed: {printed}"),
            Ok(_) => {}
            Err(error) => panic!("cannot read the output: {error}"),
        }
        if let Some(found) = line.trim().strip_prefix("Atollon sandbox listening on ") {
            url = Some(found.to_owned());
        }
        printed.push_str(&line);
    }
    match url {
        Some(url) => (running, url),
        None => panic!("no URL in the output: {printed}"),
    }
}

fn interrupt_and_wait(running: &mut Running) -> std::process::ExitStatus {
    let pid = running.child.id().to_string();
    match Command::new("kill").args(["-INT", &pid]).status() {
        Ok(status) => assert!(status.success(), "kill -INT {pid} failed"),
        Err(error) => panic!("cannot run kill: {error}"),
    }
    let started = Instant::now();
    loop {
        match running.child.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) if started.elapsed() < STOP_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(None) => panic!("the sandbox did not stop within {STOP_TIMEOUT:?} of SIGINT"),
            Err(error) => panic!("cannot wait for the sandbox: {error}"),
        }
    }
}

#[tokio::test]
async fn command_serves_and_stops() {
    let directory = match tempfile::tempdir() {
        Ok(directory) => directory,
        Err(error) => panic!("no temporary directory: {error}"),
    };
    let state = directory.path().join("state.sqlite");
    let state_arg = state.to_string_lossy().into_owned();
    let (mut running, url) = spawn_sandbox(&[
        "--listen",
        "127.0.0.1:0",
        "--state",
        &state_arg,
        "--now",
        "2023-06-15T12:00:00",
        "--fault",
        "CreateContact:not-ok:1",
    ]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with("/soap"), "{url}");

    let client = match atollon_client::Client::builder().endpoint(&url).build() {
        Ok(client) => client,
        Err(error) => panic!("{error}"),
    };
    let api = Api::login(client).await;
    assert_eq!(api.session.expose().len(), 44);
    // The --fault flag makes the first CreateContact fail, and the second succeeds.
    let text = not_ok_text(api.main.create_contact(&create_person(&api.session)).await);
    assert_eq!(text, "ERROR: injected failure");
    assert_eq!(api.create_person().await, 139663101);

    let status = interrupt_and_wait(&mut running);
    assert!(status.success(), "exit status {status}");

    // The state file kept the contact and the count: the next id follows it.
    let (mut running, url) = spawn_sandbox(&["--listen", "127.0.0.1:0", "--state", &state_arg]);
    let client = match atollon_client::Client::builder().endpoint(&url).build() {
        Ok(client) => client,
        Err(error) => panic!("{error}"),
    };
    let mut api = Api::new(client);
    let login = api.main.quick_login(&demo_login()).await;
    let Ok(response) = login else {
        panic!("QuickLogin failed after the restart: {login:?}");
    };
    api.session = response.session.unwrap_or_else(|| Secret::new(""));
    assert_eq!(api.create_person().await, 139664101);
    let status = interrupt_and_wait(&mut running);
    assert!(status.success(), "exit status {status}");
}

#[test]
fn invalid_fault_flag_rejected() {
    let output = Command::new(env!("CARGO_BIN_EXE_atollon"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--fault", "Nope:drop"])
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) => panic!("cannot run atollon: {error}"),
    };
    assert_eq!(output.status.code(), Some(2), "clap's usage error status");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid value 'Nope:drop' for '--fault"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown operation \"Nope\""), "{stderr}");
}

#[test]
fn invalid_clock_rejected() {
    let output = Command::new(env!("CARGO_BIN_EXE_atollon"))
        .args([
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--now",
            "2023-02-30T00:00:00",
        ])
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) => panic!("cannot run atollon: {error}"),
    };
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "error: invalid sandbox configuration: clock: \"2023-02-30T00:00:00\": day 30 is out of range 1-28"
        ),
        "{stderr}"
    );
}
