"""Config validation: one clear message naming the key and the allowed values, before any job."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """The config does not match workflow/schemas/config.schema.yaml."""


def _where(path) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _message(error: jsonschema.ValidationError) -> str:
    where, value, kind = _where(error.absolute_path), error.instance, error.validator
    if kind == "enum":
        return f"{where}: {value!r} is not allowed; allowed values: {', '.join(map(str, error.validator_value))}"
    if kind == "const":
        return f"{where}: must be {error.validator_value!r}, got {value!r}"
    if kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(error.validator_value)
        return f"{where}: expected {expected}, got {value!r} ({type(value).__name__})"
    if kind == "required":
        missing = [key for key in error.validator_value if key not in value]
        return f"{where}: missing key {missing[0]!r} (required keys: {', '.join(error.validator_value)})"
    if kind in ("additionalProperties", "unevaluatedProperties", "propertyNames"):
        if kind == "propertyNames":
            allowed = error.schema["propertyNames"]["enum"]
        else:
            allowed = sorted(error.schema.get("properties", {}))
        unknown = [key for key in value if key not in allowed]
        return f"{where}: unknown key {unknown[0]!r}; allowed keys: {', '.join(allowed)}"
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[kind]
        return f"{where}: {value!r} must be {sign} {error.validator_value}"
    if kind in ("minItems", "minProperties"):
        return f"{where}: needs at least {error.validator_value} entries, got {len(value)}"
    return f"{where}: {error.message}"


def validate(config: dict, schema_path: Path = SCHEMA) -> dict:
    """Raise ConfigError with one readable message if `config` breaks the schema or the science."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is not None:
        raise ConfigError(f"invalid config: {_message(error)} (every key is described in config/README.md)")
    for name, exp in config["experiments"].items():
        _check_consistency(name, exp)
    return config


def _check_consistency(name: str, exp: dict) -> None:
    """Rules that a schema cannot express."""
    where = f"experiments.{name}"
    for step in exp.get("snapshot_steps", ()):
        if step > exp["steps"]:
            raise ConfigError(f"invalid config: {where}.snapshot_steps: {step} is beyond steps = {exp['steps']}")
    optimizers = [exp["optimizer"]] if "optimizer" in exp else [{"name": k, **v} for k, v in exp.get("optimizers", {}).items()]
    for opt in optimizers:
        if opt["name"] == "gd" and opt.get("batch_size") is not None:
            raise ConfigError(
                f"invalid config: {where}: optimizer gd is full-batch, so batch_size must be null (or use sgd)"
            )
    target = exp.get("target", {})
    if "amplitudes" in target and len(target["amplitudes"]) != len(target.get("frequencies", [])):
        raise ConfigError(f"invalid config: {where}.target: amplitudes and frequencies must have the same length")
