//! Resolution of settings: flag (or variable) over `axon.toml` over the default, and bad values
//! refused with the setting's name. Variables are covered by the binary's tests
//! (`tests/cli/config.rs`), which set them on a child process instead of this one.

use super::*;
use clap::{CommandFactory, Parser};

fn resolve(args: &[&str], toml: &str) -> Result<Settings, String> {
    let mut argv = vec!["axon"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
    let file = FileConfig::parse(toml)?;
    Settings::resolve(&cli, file).map_err(|e| e.to_string())
}

const SECRET_32: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn without_flags_or_file_every_setting_has_its_default() {
    let s = resolve(&["serve"], "").unwrap();
    assert_eq!(s.listen, DEFAULT_LISTEN);
    assert_eq!(s.config.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
    assert_eq!(s.config.tz.name(), DEFAULT_TIMEZONE);
    assert_eq!(
        (s.log_format, s.log_level.text.as_str()),
        (LogFormat::Text, "info")
    );
    assert_eq!(s.config.cors_origins, vec!["*"]);
    assert_eq!(s.config.rate_limit_per_ip, 0);
    assert_eq!(s.config.reservation_ttl, Duration::from_secs(300));
    assert_eq!(s.config.approval_ttl, Duration::from_secs(600));
    assert!(s.admin_key_generated && s.config.admin_key.expose().starts_with("axa_"));
    assert!(s.config.jwt_secret.expose().is_empty());
    assert!(s.config.write_key.is_none() && s.config.session_secret.is_none());
    assert!(s.config.llm().is_none());
    assert_eq!(s.config.llm_model, Config::DEFAULT_LLM_MODEL);
}

#[test]
fn the_file_wins_over_the_default() {
    let toml = format!(
        r#"
        data_dir = "/srv/axon"
        timezone = "UTC"
        log_level = "axon_server=debug,warn"
        log_format = "json"
        listen = "0.0.0.0:9000"
        admin_key = "file-admin-key"
        jwt_secret = "file-jwt"
        write_key = "file-write"
        cors_origins = ["https://a.example", "https://b.example"]
        rate_limit_per_ip = 7
        reservation_ttl_secs = 30
        approval_ttl_secs = 60
        jwt_max_lifetime_secs = 600
        jwt_leeway_secs = 5
        secure_cookie = true
        earliest_date = "2010-01-01"
        future_hours = 2
        streams_per_key = 3
        streams_per_ip = 4
        session_secret = "{SECRET_32}"
        llm_url = "http://llm.local/v1"
        llm_model = "small"
        llm_key = "file-llm"
        "#
    );
    let s = resolve(&["serve"], &toml).unwrap();
    let c = &s.config;
    assert_eq!(
        (s.listen.as_str(), s.log_format),
        ("0.0.0.0:9000", LogFormat::Json)
    );
    assert_eq!(s.log_level.text, "axon_server=debug,warn");
    assert_eq!(
        (c.data_dir.to_str(), c.tz.name()),
        (Some("/srv/axon"), "UTC")
    );
    assert!(!s.admin_key_generated);
    assert_eq!(c.admin_key.expose(), "file-admin-key");
    assert_eq!(c.jwt_secret.expose(), "file-jwt");
    assert_eq!(c.write_key.as_ref().map(Secret::expose), Some("file-write"));
    assert_eq!(
        c.cors_origins,
        vec!["https://a.example", "https://b.example"]
    );
    assert_eq!(c.rate_limit_per_ip, 7);
    assert_eq!(
        (c.jwt.max_lifetime.as_secs(), c.jwt.leeway.as_secs()),
        (600, 5)
    );
    assert!(c.secure_cookie);
    assert_eq!(c.horizon.earliest.to_iso(), "2010-01-01T00:00:00Z");
    assert_eq!(c.horizon.fact_ahead_ms, 7_200_000);
    assert_eq!((c.streams_per_key, c.streams_per_ip), (3, 4));
    assert_eq!(
        (c.reservation_ttl.as_secs(), c.approval_ttl.as_secs()),
        (30, 60)
    );
    assert_eq!(
        c.session_secret.as_ref().map(SessionSecret::signing_key),
        Some(SessionSecret::new(SECRET_32).unwrap().signing_key())
    );
    assert_eq!(c.llm_url.as_deref(), Some("http://llm.local/v1"));
    assert_eq!(c.llm_model, "small");
    assert_eq!(c.llm_key.as_ref().map(Secret::expose), Some("file-llm"));
}

#[test]
fn a_flag_wins_over_the_file() {
    let toml = r#"
        data_dir = "/from/file"
        listen = "0.0.0.0:9000"
        rate_limit_per_ip = 7
        cors_origins = "https://file.example"
        llm_model = "small"
        log_format = "json"
    "#;
    let s = resolve(
        &[
            "--data-dir=/from/flag",
            "serve",
            "--listen=127.0.0.1:1",
            "--cors-origins=https://a.example, https://b.example",
            "--llm-model=large",
            "--log-format=text",
        ],
        toml,
    )
    .unwrap();
    assert_eq!(s.config.data_dir, PathBuf::from("/from/flag"));
    assert_eq!(s.listen, "127.0.0.1:1");
    assert_eq!(
        s.config.cors_origins,
        vec!["https://a.example", "https://b.example"],
        "the comma-separated string of AXON_CORS_ORIGINS"
    );
    assert_eq!(s.config.llm_model, "large");
    assert_eq!(s.log_format, LogFormat::Text);
    assert_eq!(
        s.config.rate_limit_per_ip, 7,
        "what no flag says comes from the file"
    );
}

#[test]
fn demo_reads_the_same_server_settings_and_other_commands_the_file() {
    let s = resolve(&["demo", "--listen=127.0.0.1:2", "--rate=0"], "").unwrap();
    assert_eq!(s.listen, "127.0.0.1:2");
    let s = resolve(
        &["import", "--dir=x"],
        "timezone = \"UTC\"\nlisten = \"h:1\"",
    )
    .unwrap();
    assert_eq!((s.config.tz.name(), s.listen.as_str()), ("UTC", "h:1"));
}

#[test]
fn a_file_cors_origins_may_be_one_comma_separated_string() {
    let s = resolve(
        &["serve"],
        r#"cors_origins = "https://a.example,https://b.example""#,
    );
    assert_eq!(
        s.unwrap().config.cors_origins,
        vec!["https://a.example", "https://b.example"]
    );
}

#[test]
fn an_empty_secret_counts_as_not_given() {
    let s = resolve(&["serve", "--admin-key="], "write_key = \"\"").unwrap();
    assert!(s.admin_key_generated);
    assert!(s.config.write_key.is_none());
}

#[test]
fn unknown_log_levels_and_formats_are_refused_naming_the_key() {
    for toml in [
        "log_level = \"loud\"",
        "log_level = \"axon=loud\"",
        "log_level = \"axon_server\"",
    ] {
        let e = resolve(&["serve"], toml).unwrap_err();
        assert!(e.contains("log_level"), "{toml}: {e}");
    }
    let e = resolve(&["serve"], "log_format = \"xml\"").unwrap_err();
    assert!(e.contains("log_format") && e.contains("xml"), "{e}");
    let e = resolve(&["--log-format=xml", "serve"], "").unwrap_err();
    assert!(
        e.contains("--log-format") && e.contains("log_format must be"),
        "{e}"
    );
    let e = resolve(&["--log-level=loud", "serve"], "").unwrap_err();
    assert!(e.contains("--log-level"), "{e}");
    assert!(resolve(&["--log-level=axon_server=debug,info", "serve"], "").is_ok());
}

#[test]
fn other_bad_values_are_refused_naming_the_setting() {
    let e = resolve(&["serve"], "timezone = \"Mars/Olympus\"").unwrap_err();
    assert!(e.contains("timezone") && e.contains("Mars/Olympus"), "{e}");
    let e = resolve(&["serve"], "cors_origins = \" , \"").unwrap_err();
    assert!(e.contains("cors_origins"), "{e}");
    let e = resolve(&["serve"], "rate_limit_per_ip = -1").unwrap_err();
    assert!(e.contains("rate_limit_per_ip"), "{e}");
    let e = resolve(&["serve", "--rate-limit-per-ip=many"], "").unwrap_err();
    assert!(e.contains("--rate-limit-per-ip"), "{e}");
    let e = resolve(&["serve"], "listne = \"x\"").unwrap_err();
    assert!(e.contains("listne"), "an unknown key is named: {e}");
}

#[test]
fn a_session_secret_shorter_than_32_bytes_is_refused_without_echoing_it() {
    let e = resolve(&["serve", "--session-secret=tiny-secret"], "").unwrap_err();
    assert!(
        e.contains("AXON_SESSION_SECRET") && e.contains("at least 32 bytes"),
        "{e}"
    );
    assert!(!e.contains("tiny-secret"), "{e}");
    let e = resolve(&["serve"], "session_secret = \"tiny-secret\"").unwrap_err();
    assert!(
        e.contains("session_secret") && !e.contains("tiny-secret"),
        "{e}"
    );
    assert!(resolve(&["serve", &format!("--session-secret={SECRET_32}")], "").is_ok());
}

#[test]
fn secrets_never_print() {
    let s = resolve(
        &[
            "serve",
            "--admin-key=admin-value-key",
            "--jwt-secret=jwt-value",
            "--write-key=write-value",
            "--llm-key=llm-value",
            &format!("--session-secret={SECRET_32}"),
        ],
        "",
    )
    .unwrap();
    let shown = format!("{s:?}");
    for v in [
        "admin-value",
        "jwt-value",
        "write-value",
        "llm-value",
        SECRET_32,
    ] {
        assert!(!shown.contains(v), "{v} in {shown}");
    }
    assert!(shown.contains("***"));
}

/// Every setting of `serve` and `demo`: (flag id, variable, help text).
fn settings_of(command: &str) -> Vec<(String, String, String)> {
    let mut cli = Cli::command();
    cli.build();
    let sub = cli.find_subcommand(command).unwrap();
    sub.get_arguments()
        .filter_map(|a| {
            let env = a.get_env()?.to_str()?.to_string();
            let help = a.get_help().map(ToString::to_string).unwrap_or_default();
            Some((a.get_id().to_string(), env, help))
        })
        .collect()
}

#[test]
fn serve_and_demo_help_list_every_setting_with_its_variable_and_default() {
    let serve = settings_of("serve");
    assert_eq!(serve.len(), 41, "{serve:?}");
    for (id, env, help) in &serve {
        assert!(env.starts_with("AXON_"), "{id}");
        assert!(
            help.contains("[default: "),
            "{id} documents its default: {help}"
        );
    }
    let demo: Vec<_> = settings_of("demo").into_iter().map(|s| s.1).collect();
    for (_, env, _) in &serve {
        assert!(demo.contains(env), "demo --help lists {env}");
    }
    let defaults = Config::new(PathBuf::new(), Secret::default());
    for (id, default) in [
        ("listen", DEFAULT_LISTEN.to_string()),
        ("data_dir", format!("./{DEFAULT_DATA_DIR}")),
        ("timezone", DEFAULT_TIMEZONE.to_string()),
        ("log_level", DEFAULT_LOG_LEVEL.to_string()),
        ("cors_origins", DEFAULT_CORS_ORIGINS.to_string()),
        (
            "reservation_ttl_secs",
            defaults.reservation_ttl.as_secs().to_string(),
        ),
        (
            "approval_ttl_secs",
            defaults.approval_ttl.as_secs().to_string(),
        ),
        ("llm_model", defaults.llm_model.clone()),
    ] {
        let help = &serve.iter().find(|s| s.0 == id).unwrap().2;
        assert!(
            help.contains(&format!("[default: {default}]")),
            "{id}: {help}"
        );
    }
}

#[test]
fn every_setting_has_an_axon_toml_key_and_a_readme_row() {
    let readme = include_str!("../../../../README.md");
    for (id, env, _) in settings_of("serve") {
        let row = format!("| `{env}` | `{id}` |");
        let toml_row = if id == "config" {
            format!("| `{env}` | — |")
        } else {
            let probe = FileConfig::parse(&format!("{id} = 1")).err();
            assert!(
                !probe.unwrap_or_default().contains("unknown field"),
                "axon.toml has the key {id}"
            );
            row
        };
        assert!(readme.contains(&toml_row), "README lists {toml_row}");
    }
}

#[test]
fn a_database_url_selects_the_shared_backend_and_a_bad_one_is_refused() {
    let s = resolve(&["serve"], "").unwrap();
    assert!(s.config.database_url.is_none(), "embedded by default");
    let s = resolve(
        &["serve", "--database-url", "postgres://a:b@db/axon"],
        "database_url = \"mysql://x@y/z\"",
    )
    .unwrap();
    assert_eq!(
        s.config.database_url.as_ref().map(Secret::expose),
        Some("postgres://a:b@db/axon"),
        "the flag wins over the file"
    );
    let s = resolve(&["serve"], "database_url = \"mysql://x@y/z\"").unwrap();
    assert_eq!(
        s.config.database_url.as_ref().map(Secret::expose),
        Some("mysql://x@y/z")
    );
    let bad = resolve(&["serve", "--database-url", "sqlite:///tmp/x"], "").unwrap_err();
    assert!(bad.contains("AXON_DATABASE_URL"), "{bad}");
    assert!(!format!(
        "{:?}",
        resolve(&["serve", "--database-url", "postgres://a:pw@h/d"], "")
            .unwrap()
            .config
    )
    .contains("pw"));
}

#[test]
fn a_short_admin_key_is_refused_without_echoing_it() {
    let e = resolve(&["serve", "--admin-key=short-key"], "").unwrap_err();
    assert!(e.contains("at least 12 characters (got 9)"), "{e}");
    assert!(!e.contains("short-key"), "{e}");
    let e = resolve(&["serve"], "admin_key = \"tiny\"").unwrap_err();
    assert!(e.contains("admin key must be at least 12"), "{e}");
    assert!(resolve(&["serve", "--admin-key=twelve-chars"], "").is_ok());
}

#[test]
fn a_redis_url_puts_the_stock_gate_on_redis_and_a_bad_one_is_refused() {
    let s = resolve(&["serve"], "").unwrap();
    assert!(s.config.redis_url.is_none(), "no Redis by default");
    assert_eq!(s.config.redis.prefix, "axon:");
    let s = resolve(
        &["serve", "--redis-url", "redis://127.0.0.1:6379/0"],
        "redis_url = \"redis://other:6379\"\nredis_prefix = \"shop1:\"",
    )
    .unwrap();
    assert_eq!(
        s.config.redis_url.as_ref().map(Secret::expose),
        Some("redis://127.0.0.1:6379/0"),
        "the flag wins over the file"
    );
    assert_eq!(s.config.redis.prefix, "shop1:");
    let bad = resolve(&["serve", "--redis-url", "http://x"], "").unwrap_err();
    assert!(bad.contains("AXON_REDIS_URL"), "{bad}");
}

#[test]
fn kafka_needs_a_shared_database_and_checks_partitions_and_properties() {
    let s = resolve(&["serve"], "").unwrap();
    assert!(s.config.kafka.is_none(), "no Kafka by default");
    let alone = resolve(&["serve", "--kafka-brokers", "127.0.0.1:9092"], "").unwrap_err();
    assert!(alone.contains("AXON_DATABASE_URL"), "{alone}");
    let db = "postgres://u@127.0.0.1/db";
    let s = resolve(
        &["serve", "--database-url", db, "--kafka-brokers", "k1:9092,k2:9092"],
        "kafka_prefix = \"shop1.\"\nkafka_partitions = 12\nkafka_properties = \"security.protocol=SASL_SSL,sasl.password=hunter2\"",
    )
    .unwrap();
    let k = s.config.kafka.unwrap();
    assert_eq!(k.brokers, "k1:9092,k2:9092");
    assert_eq!((k.prefix.as_str(), k.partitions), ("shop1.", 12));
    assert_eq!(k.raw_topic(), "shop1.axon.event.raw");
    assert_eq!(k.properties[1], ("sasl.password".into(), "hunter2".into()));
    let bad = resolve(
        &[
            "serve",
            "--database-url",
            db,
            "--kafka-brokers",
            "k:1",
            "--kafka-partitions",
            "0",
        ],
        "",
    )
    .unwrap_err();
    assert!(bad.contains("AXON_KAFKA_PARTITIONS"), "{bad}");
    let bad = resolve(
        &["serve", "--database-url", db, "--kafka-brokers", "k:1"],
        "kafka_properties = \"sasl.password\"",
    )
    .unwrap_err();
    assert!(bad.contains("AXON_KAFKA_PROPERTIES"), "{bad}");
}

#[test]
fn clickhouse_takes_an_http_url_a_plain_database_and_analytics_needs_it() {
    let s = resolve(&["serve"], "").unwrap();
    assert!(s.config.clickhouse.is_none(), "no ClickHouse by default");
    assert_eq!(s.config.analytics, axon_server::Analytics::Engine);
    let s = resolve(
        &["serve", "--clickhouse-url", "http://127.0.0.1:8123"],
        "analytics = \"clickhouse\"",
    )
    .unwrap();
    let c = s.config.clickhouse.unwrap();
    assert_eq!(
        (c.url.expose(), c.database.as_str()),
        ("http://127.0.0.1:8123", "axon")
    );
    assert_eq!(s.config.analytics, axon_server::Analytics::ClickHouse);
    for (args, file, names) in [
        (
            &["serve", "--analytics", "clickhouse"][..],
            "",
            "AXON_CLICKHOUSE_URL",
        ),
        (
            &["serve", "--analytics", "duckdb"][..],
            "",
            "AXON_ANALYTICS",
        ),
        (
            &["serve", "--clickhouse-url", "https://ch:8443"][..],
            "",
            "AXON_CLICKHOUSE_URL",
        ),
        (
            &["serve"][..],
            "clickhouse_database = \"shop\"",
            "AXON_CLICKHOUSE_URL",
        ),
        (
            &[
                "serve",
                "--clickhouse-url",
                "http://ch:8123",
                "--clickhouse-database",
                "a-b",
            ][..],
            "",
            "AXON_CLICKHOUSE_DATABASE",
        ),
    ] {
        let bad = resolve(args, file).unwrap_err();
        assert!(bad.contains(names), "{args:?}: {bad}");
    }
}
