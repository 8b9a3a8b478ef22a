"""The config loader: every mistake is reported with its line, its field and what was expected."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from tarash_gateway.router import (
    ConfigError,
    ConfigIssue,
    GatewayConfig,
    Router,
    load_config,
    parse_config,
)

FILE = "gateway.yaml"


def parse(text: str, env: Mapping[str, str] | None = None) -> GatewayConfig:
    return parse_config(textwrap.dedent(text), FILE, {} if env is None else env)


def issues_of(text: str, env: Mapping[str, str] | None = None) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as info:
        parse(text, env)
    return info.value.issues


def only_issue(text: str, env: Mapping[str, str] | None = None) -> ConfigIssue:
    issues = issues_of(text, env)
    assert len(issues) == 1, [str(issue) for issue in issues]
    return issues[0]


def issue_for(issues: list[ConfigIssue], field: str) -> ConfigIssue:
    matching = [issue for issue in issues if issue.field == field]
    assert len(matching) == 1, [str(issue) for issue in issues]
    return matching[0]


# --- YAML itself ----------------------------------------------------------------------------


def test_bad_indentation_is_reported_at_the_offending_line() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params:
              provider: mock
             model: m
        general_settings:
          master_key: sk
        """
    )
    assert issue.file == FILE
    assert (issue.line, issue.column) == (5, 6)
    assert issue.field == ""
    assert issue.message.startswith("invalid YAML:")
    assert "expected <block end>" in issue.message


def test_colon_inside_plain_value_is_reported_at_its_line() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
             params: x
        """
    )
    assert issue.line == 3
    assert "invalid YAML: mapping values are not allowed here" in issue.message


def test_tab_indentation_is_reported_at_its_line() -> None:
    text = "model_list:\n  - model_name: a\n    params:\n\tprovider: mock\n"
    with pytest.raises(ConfigError) as info:
        parse_config(text, FILE, {})
    [issue] = info.value.issues
    assert (issue.line, issue.column) == (4, 1)
    assert "'\\t' that cannot start any token" in issue.message


def test_duplicate_key_points_at_the_second_and_names_the_first_line() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params:
              provider: mock
              weight: 1
              model: m
              weight: 2
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.column) == (7, 7)
    assert "duplicate key 'weight'" in issue.message
    assert "first defined on line 5" in issue.message


def test_duplicate_top_level_section_is_refused() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m}
        general_settings:
          master_key: sk
        general_settings:
          master_key: other
        """
    )
    assert issue.line == 6
    assert "duplicate key 'general_settings' (first defined on line 4)" in issue.message


def test_second_yaml_document_is_refused() -> None:
    issue = only_issue("model_list: []\n---\ngeneral_settings: {}\n")
    assert issue.line == 2
    assert "expected a single document" in issue.message


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_empty_file_says_a_mapping_was_expected(text: str) -> None:
    issue = only_issue(text)
    assert (issue.line, issue.column) == (1, 1)
    assert issue.field == ""
    assert issue.message == (
        "expected a mapping with model_list and general_settings, found an empty file"
    )


def test_top_level_list_says_a_mapping_was_expected() -> None:
    issue = only_issue(
        """\
        - model_name: a
          params: {provider: mock, model: m}
        """
    )
    assert issue.line == 1
    assert "expected a mapping with model_list and general_settings, found a list" in (
        issue.message
    )


def test_top_level_scalar_says_a_mapping_was_expected() -> None:
    issue = only_issue("just some words\n")
    assert "expected a mapping" in issue.message
    assert "found a str" in issue.message


# --- Files ----------------------------------------------------------------------------------


def test_load_config_reads_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            model_list:
              - model_name: a
                params: {provider: mock, model: m}
            general_settings:
              master_key: os.environ/MK
            """
        )
    )
    config = load_config(path, env={"MK": "sk-from-env"})
    assert config.general_settings.master_key.get_secret_value() == "sk-from-env"


def test_load_config_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    [issue] = info.value.issues
    assert issue.file == str(path)
    assert (issue.line, issue.column) == (1, 1)
    assert issue.message == "cannot read file: No such file or directory"
    assert str(issue) == f"{path}:1:1: cannot read file: No such file or directory"


def test_load_config_on_a_directory_is_an_issue(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, env={})
    [issue] = info.value.issues
    assert issue.message == "cannot read file: Is a directory"


def test_load_config_refuses_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("general_settings: {master_key: caf\u00e9}\n".encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    [issue] = info.value.issues
    assert issue.message == "file is not valid UTF-8"


def test_load_config_reports_issues_against_the_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("model_list:\n  - model_name: a\n    params: {provider: mock, model: m}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    [issue] = info.value.issues
    assert issue.file == str(path)
    assert issue.field == "general_settings"


def test_crlf_line_endings_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(
        b"model_list:\r\n"
        b"  - model_name: a\r\n"
        b"    params: {provider: mock, model: m, weight: -1}\r\n"
        b"general_settings:\r\n"
        b"  master_key: sk\r\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    [issue] = info.value.issues
    assert (issue.line, issue.field) == (3, "model_list[0].params.weight")


# --- Schema ---------------------------------------------------------------------------------


def test_unknown_provider_lists_the_registered_ones() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params:
              provider: sora
              model: m
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.column) == (4, 17)
    assert issue.field == "model_list[0].params.provider"
    assert issue.message.startswith("unknown provider 'sora'; expected one of:")
    assert "mock" in issue.message.split("expected one of:")[1]


def test_missing_model_points_at_the_params_mapping() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params:
              provider: mock
              weight: 2
        general_settings:
          master_key: sk
        """
    )
    assert issue.line == 4
    assert issue.field == "model_list[0].params.model"
    assert issue.message == "missing required field 'model'"


def test_missing_general_settings_is_reported() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m}
        """
    )
    assert issue.line == 1
    assert issue.field == "general_settings"
    assert issue.message == "missing required field 'general_settings'"


def test_missing_master_key_points_into_general_settings() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m}
        general_settings:
          database_url: sqlite:///x.db
        """
    )
    assert issue.line == 5
    assert issue.field == "general_settings.master_key"
    assert issue.message == "missing required field 'master_key'"


def test_empty_model_list_needs_one_entry() -> None:
    issue = only_issue(
        """\
        model_list: []
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.field) == (1, "model_list")
    assert "at least 1 item" in issue.message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("weight", "heavy", "Input should be a valid number"),
        ("rpm", "1.5", "Input should be a valid integer, got a number with a fractional part"),
        ("timeout", "-1", "Input should be greater than 0"),
        ("max_parallel_jobs", "-4", "Input should be greater than 0"),
        ("cost_per_second", "cheap", "Input should be a valid number"),
    ],
)
def test_wrong_type_names_field_line_and_expectation(field: str, value: str, expected: str) -> None:
    issue = only_issue(
        f"""\
        model_list:
          - model_name: a
            params: {{provider: mock, model: m}}
          - model_name: b
            params:
              provider: mock
              model: m
              {field}: {value}
        general_settings:
          master_key: sk
        """
    )
    assert issue.line == 8
    assert issue.column == len(f"      {field}: ") + 1
    assert issue.field == f"model_list[1].params.{field}"
    assert expected in issue.message
    assert f"(got {value!r})" in issue.message or f"(got {value})" in issue.message


def test_negative_weight_says_it_must_not_be_negative() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m, weight: -2}
        general_settings:
          master_key: sk
        """
    )
    assert issue.line == 3
    assert issue.field == "model_list[0].params.weight"
    assert issue.message == "Input should be greater than or equal to 0 (got -2)"


def test_alias_with_whitespace_is_refused() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: my alias
            params: {provider: mock, model: m}
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.field) == (2, "model_list[0].model_name")
    assert "(got 'my alias')" in issue.message


def test_unknown_routing_strategy_lists_the_choices() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m}
        router_settings:
          routing_strategy: fastest
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.field) == (5, "router_settings.routing_strategy")
    assert "'weighted', 'lowest-cost', 'lowest-latency' or 'least-busy'" in issue.message
    assert "(got 'fastest')" in issue.message


def test_misspelt_field_suggests_the_right_one_at_the_key() -> None:
    issues = issues_of(
        """\
        model_list:
          - model_name: a
            params:
              provider: mock
              modle: m
        general_settings:
          master_key: sk
        """
    )
    typo = issue_for(issues, "model_list[0].params.modle")
    assert (typo.line, typo.column) == (5, 7)
    assert typo.message == "unknown field 'modle'; did you mean 'model'?"
    missing = issue_for(issues, "model_list[0].params.model")
    assert missing.message == "missing required field 'model'"


def test_misspelt_nested_mock_field_suggests_the_right_one() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params:
              provider: mock
              model: m
              mock:
                job_second: 3
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.field) == (7, "model_list[0].params.mock.job_second")
    assert "did you mean 'job_seconds'?" in issue.message


def test_unknown_field_without_a_close_match_lists_the_allowed_fields() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m}
        general_settings:
          master_key: sk
          colour: blue
        """
    )
    assert (issue.line, issue.column) == (6, 3)
    assert issue.field == "general_settings.colour"
    assert issue.message.startswith("unknown field 'colour'; expected one of: master_key,")
    assert "database_url" in issue.message


def test_unknown_top_level_section_is_reported() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m}
        router_setings:
          num_retries: 1
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.field) == (4, "router_setings")
    assert "did you mean 'router_settings'?" in issue.message


# --- Cross-references -----------------------------------------------------------------------


def test_duplicate_explicit_id_points_at_the_second_and_names_the_first() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m, id: shared}
          - model_name: b
            params: {provider: mock, model: m2, id: other}
          - model_name: b
            params:
              provider: mock
              model: m3
              id: shared
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.column) == (10, 11)
    assert issue.field == "model_list[2].params.id"
    assert "duplicate deployment id 'shared'" in issue.message
    assert "already used by model_list[0]" in issue.message


def test_explicit_id_colliding_with_a_default_id_is_refused() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m}
          - model_name: a
            params: {provider: mock, model: other, id: "a:mock:m"}
        general_settings:
          master_key: sk
        """
    )
    assert issue.line == 5
    assert issue.field == "model_list[1].params.id"
    assert "duplicate deployment id 'a:mock:m'" in issue.message


FALLBACK_HEAD = """\
model_list:
  - model_name: cinematic
    params: {provider: mock, model: m}
  - model_name: fast
    params: {provider: mock, model: m}
router_settings:
  fallbacks:
"""


def fallback_config(rules: str) -> str:
    return FALLBACK_HEAD + rules + "general_settings:\n  master_key: sk\n"


def test_fallback_to_unknown_alias_points_at_the_target() -> None:
    issue = only_issue(fallback_config("    - cinematic: [fast, ghost]\n"))
    assert (issue.line, issue.column) == (8, 25)
    assert issue.field == "router_settings.fallbacks[0].cinematic[1]"
    assert issue.message == "unknown alias 'ghost'; expected one of: cinematic, fast"


def test_fallback_from_unknown_alias_points_at_the_key() -> None:
    issue = only_issue(fallback_config("    - cinematic: [fast]\n    - phantom:\n        - fast\n"))
    assert (issue.line, issue.column) == (9, 7)
    assert issue.field == "router_settings.fallbacks[1].phantom"
    assert issue.message == "unknown alias 'phantom'; expected one of: cinematic, fast"


def test_alias_falling_back_to_itself_is_refused() -> None:
    issue = only_issue(fallback_config("    - fast: [cinematic, fast]\n"))
    assert (issue.line, issue.column) == (8, 25)
    assert issue.field == "router_settings.fallbacks[0].fast[1]"
    assert issue.message == "alias 'fast' cannot fall back to itself"


def test_fallback_targets_must_be_a_list() -> None:
    issue = only_issue(fallback_config("    - cinematic: fast\n"))
    assert (issue.line, issue.field) == (8, "router_settings.fallbacks[0].cinematic")
    assert "Input should be a valid list" in issue.message


def test_alias_whose_deployments_all_weigh_zero_is_refused() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m}
          - model_name: idle
            params:
              provider: mock
              model: m1
              weight: 0
          - model_name: idle
            params: {provider: mock, model: m2, weight: 0}
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.field) == (8, "model_list[1].params.weight")
    assert issue.message == "alias 'idle' has no deployment with a positive weight"


def test_zero_weight_is_fine_when_another_deployment_of_the_alias_has_weight() -> None:
    config = parse(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m1, weight: 0}
          - model_name: a
            params: {provider: mock, model: m2}
        general_settings:
          master_key: sk
        """
    )
    assert [entry.params.weight for entry in config.model_list] == [0, 1]


# --- Environment variables ------------------------------------------------------------------

ENV_CONFIG = """\
model_list:
  - model_name: a
    params:
      provider: mock
      model: m
      api_key: os.environ/PROVIDER_KEY
general_settings:
  master_key: os.environ/MASTER_KEY
"""


def test_env_references_resolve_from_the_given_mapping() -> None:
    config = parse(ENV_CONFIG, {"PROVIDER_KEY": "pk-123", "MASTER_KEY": "mk-456"})
    api_key = config.model_list[0].params.api_key
    assert api_key is not None
    assert api_key.get_secret_value() == "pk-123"
    assert config.general_settings.master_key.get_secret_value() == "mk-456"


def test_env_mapping_replaces_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVIDER_KEY", "from-process")
    monkeypatch.setenv("MASTER_KEY", "from-process")
    issues = issues_of(ENV_CONFIG, {"MASTER_KEY": "mk"})
    assert [issue.field for issue in issues] == ["model_list[0].params.api_key"]


def test_without_env_mapping_the_process_environment_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROVIDER_KEY", "pk-proc")
    monkeypatch.setenv("MASTER_KEY", "mk-proc")
    config = parse_config(ENV_CONFIG, FILE)
    assert config.general_settings.master_key.get_secret_value() == "mk-proc"


def test_missing_env_variable_is_named_at_its_line() -> None:
    issue = only_issue(ENV_CONFIG, {"PROVIDER_KEY": "pk"})
    assert (issue.line, issue.column) == (8, 15)
    assert issue.field == "general_settings.master_key"
    assert issue.message == (
        "environment variable MASTER_KEY is not set (referenced as os.environ/MASTER_KEY)"
    )


def test_missing_env_variable_for_required_field_is_reported_once() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: os.environ/MODEL_ID}
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.field) == (3, "model_list[0].params.model")
    assert "environment variable MODEL_ID is not set" in issue.message


def test_missing_env_variable_is_reported_with_other_schema_mistakes() -> None:
    issues = issues_of(
        """\
        model_list:
          - model_name: a
            params:
              provider: mock
              model: os.environ/MODEL_ID
              weight: -1
        general_settings:
          master_key: sk
        """
    )
    assert [(issue.line, issue.field) for issue in issues] == [
        (5, "model_list[0].params.model"),
        (6, "model_list[0].params.weight"),
    ]


def test_unknown_field_is_reported_even_when_its_env_variable_is_missing() -> None:
    issues = issues_of(
        """\
        model_list:
          - model_name: a
            params:
              provider: mock
              model: m
              api_kye: os.environ/PROVIDER_KEY
        general_settings:
          master_key: sk
        """
    )
    assert any("did you mean 'api_key'?" in issue.message for issue in issues)


def test_env_reference_without_a_name_says_the_name_is_missing() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m, api_key: "os.environ/"}
        general_settings:
          master_key: sk
        """
    )
    assert issue.line == 3
    assert "variable  " not in issue.message
    assert "name" in issue.message


# --- Secrets --------------------------------------------------------------------------------


def test_bad_secret_values_are_never_echoed() -> None:
    with pytest.raises(ConfigError) as info:
        parse(
            """\
            model_list:
              - model_name: a
                params:
                  provider: mock
                  model: m
                  api_key: [hunter2-provider-secret, spare]
            general_settings:
              master_key: {value: sk-master-topsecret}
            """
        )
    issues = info.value.issues
    api_key = issue_for(issues, "model_list[0].params.api_key")
    master_key = issue_for(issues, "general_settings.master_key")
    assert (api_key.line, master_key.line) == (6, 8)
    assert "Input should be a valid string" in api_key.message
    assert "Input should be a valid string" in master_key.message
    assert "hunter2" not in str(info.value)
    assert "topsecret" not in str(info.value)


def test_numeric_master_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as info:
        parse(
            """\
            model_list:
              - model_name: a
                params: {provider: mock, model: m}
            general_settings:
              master_key: 987654321
            """
        )
    [issue] = info.value.issues
    assert (issue.line, issue.field) == (5, "general_settings.master_key")
    assert "valid string" in issue.message
    assert "987654321" not in str(info.value)


def test_resolved_secrets_do_not_appear_in_other_issues() -> None:
    with pytest.raises(ConfigError) as info:
        parse(
            ENV_CONFIG.replace("model: m", "model: m\n      weight: -1"),
            {"PROVIDER_KEY": "pk-very-secret", "MASTER_KEY": "mk-very-secret"},
        )
    assert [issue.field for issue in info.value.issues] == ["model_list[0].params.weight"]
    assert "very-secret" not in str(info.value)


def test_values_from_environment_are_never_echoed() -> None:
    with pytest.raises(ConfigError) as info:
        parse(
            """\
            model_list:
              - model_name: a
                params:
                  provider: mock
                  model: m
                  provider_config: os.environ/FAL_KEY
            general_settings:
              master_key: sk
            """,
            {"FAL_KEY": "fal-live-secret-42"},
        )
    [issue] = info.value.issues
    assert (issue.line, issue.field) == (6, "model_list[0].params.provider_config")
    assert "fal-live-secret-42" not in str(info.value)


def test_empty_master_key_is_refused() -> None:
    issue = only_issue(ENV_CONFIG, {"PROVIDER_KEY": "pk", "MASTER_KEY": ""})
    assert (issue.line, issue.field) == (8, "general_settings.master_key")


# --- Several mistakes at once ---------------------------------------------------------------


def test_independent_mistakes_are_all_reported_in_file_order() -> None:
    with pytest.raises(ConfigError) as info:
        parse(
            """\
            model_list:
              - model_name: a
                params:
                  provider: nope
                  model: m
              - model_name: b
                params:
                  provider: mock
                  model: m
                  rpm: 1.5
                  colour: red
            router_settings:
              num_retries: -3
            general_settings:
              database_url: sqlite:///x.db
            """
        )
    issues = info.value.issues
    assert [(issue.line, issue.field) for issue in issues] == [
        (4, "model_list[0].params.provider"),
        (10, "model_list[1].params.rpm"),
        (11, "model_list[1].params.colour"),
        (13, "router_settings.num_retries"),
        (15, "general_settings.master_key"),
    ]
    assert str(info.value).splitlines() == [str(issue) for issue in issues]


def test_reference_mistakes_are_all_reported_together() -> None:
    issues = issues_of(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m, id: x}
          - model_name: b
            params: {provider: mock, model: m, id: x}
        router_settings:
          fallbacks:
            - a: [ghost]
            - b: [b]
        general_settings:
          master_key: sk
        """
    )
    assert [(issue.line, issue.field) for issue in issues] == [
        (5, "model_list[1].params.id"),
        (8, "router_settings.fallbacks[0].a[0]"),
        (9, "router_settings.fallbacks[1].b[0]"),
    ]


# --- A valid config -------------------------------------------------------------------------

VALID = """\
model_list:
  - model_name: cinematic
    params: {provider: mock, model: mock-a, cost_per_second: 0.4}
  - model_name: cinematic
    params: {provider: mock, model: mock-a}
  - model_name: cinematic
    params: {provider: mock, model: mock-b, id: pinned, weight: 2.5}
  - model_name: fast
    params:
      provider: mock
      model: mock-fast
      rpm: 10
      max_parallel_jobs: 2
      poll_interval: 0.5
router_settings:
  routing_strategy: lowest-cost
  num_retries: 0
  fallbacks:
    - cinematic: [fast]
  cooldown: {failure_ratio: 1, seconds: 0}
general_settings:
  master_key: sk-valid
  redis_url: redis://localhost:6379/0
"""


def test_valid_config_round_trips_every_setting() -> None:
    config = parse(VALID)
    assert [entry.model_name for entry in config.model_list] == [
        "cinematic",
        "cinematic",
        "cinematic",
        "fast",
    ]
    first, _, pinned, fast = (entry.params for entry in config.model_list)
    assert (first.provider, first.model, first.cost_per_second, first.weight) == (
        "mock",
        "mock-a",
        0.4,
        1.0,
    )
    assert (pinned.id, pinned.weight) == ("pinned", 2.5)
    assert (fast.rpm, fast.max_parallel_jobs, fast.poll_interval) == (10, 2, 0.5)
    assert fast.timeout == 600.0
    assert config.router_settings.routing_strategy == "lowest-cost"
    assert config.router_settings.num_retries == 0
    assert config.router_settings.fallbacks == [{"cinematic": ["fast"]}]
    assert config.router_settings.cooldown.failure_ratio == 1
    assert config.general_settings.master_key.get_secret_value() == "sk-valid"
    assert config.general_settings.redis_url == "redis://localhost:6379/0"
    assert config.general_settings.database_url == "sqlite:///./tarash.db"


def test_deployment_ids_default_to_alias_provider_model_with_suffix_for_repeats() -> None:
    router = Router(parse(VALID))
    assert router.aliases == ["cinematic", "fast"]
    assert [d.id for d in router.deployments("cinematic")] == [
        "cinematic:mock:mock-a",
        "cinematic:mock:mock-a#2",
        "pinned",
    ]
    assert [d.id for d in router.deployments("fast")] == ["fast:mock:mock-fast"]
    assert router.deployment("cinematic:mock:mock-a#2").params.model == "mock-a"


def test_secrets_are_masked_in_the_config_repr() -> None:
    config = parse(VALID)
    assert "sk-valid" not in repr(config)


def test_yaml_anchors_can_share_a_params_block() -> None:
    config = parse(
        """\
        model_list:
          - model_name: a
            params: &shared {provider: mock, model: m, weight: 2}
          - model_name: b
            params: *shared
        general_settings:
          master_key: sk
        """
    )
    assert [entry.params.weight for entry in config.model_list] == [2, 2]


def test_yaml_merge_keys_are_supported() -> None:
    config = parse(
        """\
        model_list:
          - model_name: a
            params: &shared {provider: mock, model: m, weight: 2}
          - model_name: b
            params:
              <<: *shared
              model: m2
        general_settings:
          master_key: sk
        """
    )
    assert config.model_list[1].params.model == "m2"
    assert config.model_list[1].params.weight == 2


# --- Mock settings --------------------------------------------------------------------------


def test_mock_responses_with_weights_and_injected_errors_are_parsed() -> None:
    config = parse(
        """\
        model_list:
          - model_name: flaky
            params:
              provider: mock
              model: m
              mock:
                seed: 7
                job_seconds: 0.5
                responses:
                  - weight: 3
                  - weight: 1
                    error: {code: rate_limit_exceeded, at: submit, retry_after: 5}
                  - weight: 1
                    error:
                      code: upstream_http_error
                      status_code: 503
                      message: "upstream down"
        general_settings:
          master_key: sk
        """
    )
    mock = config.model_list[0].params.mock
    assert mock is not None
    assert [response.weight for response in mock.responses] == [3, 1, 1]
    assert mock.responses[0].error is None
    limited = mock.responses[1].error
    assert limited is not None
    assert (limited.code, limited.at, limited.retry_after) == ("rate_limit_exceeded", "submit", 5)
    http = mock.responses[2].error
    assert http is not None
    assert (http.code, http.at, http.status_code, http.message) == (
        "upstream_http_error",
        "poll",
        503,
        "upstream down",
    )


def test_unknown_mock_error_code_is_reported_at_its_line() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: flaky
            params:
              provider: mock
              model: m
              mock:
                responses:
                  - weight: 1
                  - error:
                      code: rate_limited
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.column) == (10, 21)
    assert issue.field == "model_list[0].params.mock.responses[1].error.code"
    assert issue.message.startswith("unknown error code 'rate_limited'; expected one of")
    assert "rate_limit_exceeded" in issue.message


def test_mock_error_stage_must_be_submit_or_poll() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: flaky
            params:
              provider: mock
              model: m
              mock: {responses: [{error: {at: fetch}}]}
        general_settings:
          master_key: sk
        """
    )
    assert issue.line == 6
    assert issue.field == "model_list[0].params.mock.responses[0].error.at"
    assert "'submit' or 'poll'" in issue.message


def test_mock_responses_need_a_positive_total_weight() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params:
              provider: mock
              model: m
              mock:
                responses:
                  - weight: 0
        general_settings:
          master_key: sk
        """
    )
    assert (issue.line, issue.field) == (7, "model_list[0].params.mock")
    assert issue.message == "mock responses need at least one positive weight"


# --- ConfigIssue formatting -----------------------------------------------------------------


def test_issue_str_is_file_line_column_field_message() -> None:
    issue = ConfigIssue("cfg.yaml", 12, 7, "model_list[1].params.weight", "must be >= 0")
    assert str(issue) == "cfg.yaml:12:7: model_list[1].params.weight: must be >= 0"


def test_issue_str_without_field_omits_it() -> None:
    issue = ConfigIssue("cfg.yaml", 3, 1, "", "invalid YAML: oops")
    assert str(issue) == "cfg.yaml:3:1: invalid YAML: oops"


def test_real_issue_renders_with_its_location() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m, weight: -2}
        general_settings:
          master_key: sk
        """
    )
    assert str(issue) == (
        "gateway.yaml:3:48: model_list[0].params.weight: "
        "Input should be greater than or equal to 0 (got -2)"
    )


# --- Known bugs -----------------------------------------------------------------------------


def test_unhashable_key_is_an_issue_not_a_crash() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params:
              provider: mock
              model: m
              [x, y]: 1
        general_settings:
          master_key: sk
        """
    )
    assert issue.line == 6
    assert "unhashable" in issue.message


@pytest.mark.parametrize(
    ("text", "start_line"),
    [
        (
            'model_list:\n  - model_name: "a\n    params: {provider: mock, model: m}\n'
            "general_settings:\n  master_key: sk\n",
            2,
        ),
        (
            "model_list:\n  - model_name: a\n    params: {provider: mock, model: m\n"
            "general_settings:\n  master_key: sk\n",
            3,
        ),
    ],
)
def test_unterminated_construct_names_the_line_it_started_on(text: str, start_line: int) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, FILE, {})
    [issue] = info.value.issues
    assert issue.line == start_line or f"line {start_line}" in issue.message


def test_boolean_looking_key_is_reported_at_its_line() -> None:
    issue = only_issue(
        """\
        model_list:
          - model_name: a
            params: {provider: mock, model: m}
        general_settings:
          master_key: sk
          on: 1
        """
    )
    assert issue.line == 6
    assert "[1]" not in issue.field
