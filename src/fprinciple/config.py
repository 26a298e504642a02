"""Config loading and validation: every bad config is refused before any job, with every problem
at once, each on one line naming where it was set (file and line, or the ``--config`` setting),
the key, the allowed values or range and the fix.

A config is the top-level file (``config/<scale>.yaml``: the scale, device, data, training
defaults) plus, for each experiment folder with a section for that scale,
``experiments/<id>/config.yaml``'s section, under any ``experiments.<id>`` overrides the files or
``--config`` give. The schema is assembled from ``workflow/schemas/config.schema.yaml`` (top level
and shared definitions) and each folder's ``schema.yaml``, so adding an experiment adds a folder
rather than editing a shared file. Rules that span several keys (ranges ordered, snapshots within
the steps, frequencies below Nyquist, subsets within their dataset, memory within ``mem_mb``) are
checked after the schema, also before any job; a rule of one experiment's keys only lives in its
folder (``checks.py``: ``problems(path, block)``).

Command line: ``python -m fprinciple.config FILE...`` checks config files the way the workflow
does. Snakemake parses ``--configfile`` files itself before the workflow starts and reports a
YAML error without file or line, and a missing one with a traceback, so this is the way to
locate one.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import importlib.util
import itertools
import math
import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

from .errors import UserError

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
EXPERIMENTS = ROOT / "src" / "fprinciple" / "experiments"
README = "config/README.md"

# (train, test) sizes of the real datasets and of the digits stand-in; cifar_standin generates
# as many samples as asked for, so it has no size (and needs n_train and n_test).
SPLIT_SIZES = {"mnist": (60000, 10000), "cifar10": (50000, 10000), "digits": (1500, 297)}

MAX_SHOWN = 10  # problems one message lists; it counts the rest

BYTES_PER_WEIGHT = 8  # float32 weight and its gradient: a floor under any optimizer's state

KeyPath = tuple  # a key path into the config: keys (str) and list indices (int)


# JSON Schema counts 2000.0 as an integer; the code would then fail in range(steps) after the
# queue wait, so an integer key takes Python ints only.
Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)


class ConfigError(UserError, ValueError):
    """The config breaks the schema (workflow/schemas/) or a rule across its keys.

    Each problem is one line and all are reported together (the first ``MAX_SHOWN``), so one
    rerun follows one round of fixes rather than one per mistake."""

    def __init__(self, *problems: str):
        self.problems = list(problems)
        lines = self.problems[:MAX_SHOWN]
        if len(self.problems) > MAX_SHOWN:
            lines.append(f"and {len(self.problems) - MAX_SHOWN} more, listed once these are fixed")
        if len(self.problems) > 1:
            lines = [f"{len(self.problems)} problems in the config:"] + [f"  {line}" for line in lines]
        super().__init__("\n".join(lines))


class MissingConfigFile(ConfigError):
    """A config file to read does not exist (the command-line check exits 2 for it, not 1)."""


# ---------------------------------------------------------------------------------------------
# The schema


def experiment_schemas(folder: Path = EXPERIMENTS) -> dict[str, Path]:
    """Every experiment id with a schema file, and that file (``experiments/<id>/schema.yaml``)."""
    return {p.parent.name: p for p in sorted(Path(folder).glob("*/schema.yaml"))}


def assemble_schema(schema: Path = SCHEMA, folder: Path = EXPERIMENTS) -> dict:
    """The whole config schema: the top-level file with each experiment's schema at
    ``experiments.properties.<id>`` and its own ``$defs`` merged into the shared ones.

    Cached (checking the assembled schema takes a tenth of a second) until a file changes."""
    files = [Path(schema), *experiment_schemas(folder).values()]
    return _assemble(Path(schema), Path(folder), tuple((str(f), f.stat().st_mtime_ns) for f in files))


@lru_cache(maxsize=8)
def _assemble(schema: Path, folder: Path, versions: tuple) -> dict:
    root = _yaml_file(schema)
    experiments = root["properties"]["experiments"]["properties"]
    for name, path in experiment_schemas(folder).items():
        block = _yaml_file(path)
        for key, definition in block.pop("$defs", {}).items():
            if key in root["$defs"]:
                raise ValueError(f"{path}: $defs.{key} clashes with a shared definition of that name")
            root["$defs"][key] = definition
        experiments[name] = block
    jsonschema.Draft202012Validator.check_schema(root)
    return root


def _yaml_file(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _resolve(schema: dict, root: dict) -> Iterator[dict]:
    """``schema`` and every schema it extends through ``$ref`` and ``allOf`` (all refs are local)."""
    yield schema
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        yield from _resolve(target, root)
    for member in schema.get("allOf", ()):
        yield from _resolve(member, root)


def _schemas_at(path: KeyPath, root: dict) -> list[dict]:
    """Every schema that applies to the value at ``path`` (with what they extend)."""
    current = list(_resolve(root, root))
    for key in path:
        found = []
        for part in current:
            if isinstance(key, int):
                found += [part["items"]] if isinstance(part.get("items"), dict) else []
            elif key in part.get("properties", {}):
                found.append(part["properties"][key])
            elif isinstance(part.get("additionalProperties"), dict):
                found.append(part["additionalProperties"])
        current = [resolved for schema in found for resolved in _resolve(schema, root)]
    return current


def _declared(path: KeyPath, root: dict, keyword: str) -> list[str]:
    """The keys declared under ``keyword`` (properties, required) for the mapping at ``path``."""
    keys = []
    for part in _schemas_at(path, root):
        keys += [key for key in part.get(keyword, ()) if key not in keys]
    return keys


def _coerce_booleans(value, schema: dict, root: dict):
    """``value`` with the strings true/false (any case) turned into booleans wherever the schema
    expects a boolean: Snakemake's ``--config download=false`` passes the text 'false'."""
    parts = list(_resolve(schema, root))
    if isinstance(value, str) and value.lower() in ("true", "false"):
        types = [p.get("type") for p in parts]
        if any(t == "boolean" or (isinstance(t, list) and "boolean" in t) for t in types):
            return value.lower() == "true"
    elif isinstance(value, dict):
        for key in value:
            subs = [p["properties"][key] for p in parts if key in p.get("properties", {})]
            subs = subs or [p["additionalProperties"] for p in parts if isinstance(p.get("additionalProperties"), dict)]
            for sub in subs:
                value[key] = _coerce_booleans(value[key], sub, root)
    elif isinstance(value, list):
        for sub in [p["items"] for p in parts if isinstance(p.get("items"), dict)]:
            value[:] = [_coerce_booleans(item, sub, root) for item in value]
    return value


# ---------------------------------------------------------------------------------------------
# Reading config files


def read_config_file(path: str | Path) -> tuple[dict, dict[KeyPath, str]]:
    """The config in ``path`` and, for every key path, its ``file:line``.

    A missing or empty file, a YAML syntax error and a key given twice in one block (PyYAML
    would silently keep the last) are refused with file and line.
    """
    path = Path(path)
    shown = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        shipped = ", ".join(_shown(p) for p in sorted((ROOT / "config").glob("*.yaml")))
        raise MissingConfigFile(
            f"config file {shown} not found (working directory {Path.cwd()}): check the path; the shipped configs are {shipped}"
        ) from None
    except OSError as error:
        raise ConfigError(f"config file {shown} cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {shown} is not UTF-8 text: is it a YAML config?") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError(
                f"{shown}: the file is empty; a config is a YAML mapping of the top-level keys ({README})"
            )
        lines: dict[KeyPath, str] = {}
        _locate(node, (), shown, lines)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        at = f"{mark.line + 1}:{mark.column + 1}:" if mark else ""
        context = (
            f" ({error.context} at line {error.context_mark.line + 1})" if error.context and error.context_mark else ""
        )
        raise ConfigError(
            f"{shown}:{at} YAML syntax error: {error.problem or error.context}{context}; "
            "check the brackets, quotes and indentation there (spaces only, no tabs)"
        ) from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{shown}: not valid YAML: {' '.join(str(error).split())}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError(
            f"{shown}: expected a YAML mapping of the top-level keys, got {type(data).__name__} ({README})"
        )
    return data, lines


def _locate(node, path: KeyPath, shown: str, lines: dict) -> None:
    """Record 'file:line' of every key and list entry under ``node``; refuse duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else key_node.start_mark.line
            if key in seen:
                raise ConfigError(
                    f"{shown}:{key_node.start_mark.line + 1}: key {'.'.join(map(str, path + (key,)))} is given twice "
                    f"(also line {seen[key]}); YAML would keep only the last: delete one"
                )
            seen[key] = key_node.start_mark.line + 1
            lines[path + (key,)] = f"{shown}:{seen[key]}"
            _locate(value_node, path + (key,), shown, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = f"{shown}:{item.start_mark.line + 1}"
            _locate(item, path + (index,), shown, lines)


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (shorter messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _merge(into: dict, new: dict) -> dict:
    """Merge ``new`` into ``into`` key by key, as Snakemake merges several config files."""
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def scale_sections(scale, folder: Path = EXPERIMENTS) -> tuple[dict, dict[KeyPath, str]]:
    """Every experiment's settings at ``scale``: ``{id: section}`` of each folder's config.yaml
    that has a section of that name, and ``file:line`` of each key (as ``experiments.<id>...``)."""
    blocks: dict = {}
    located: dict[KeyPath, str] = {}
    if not isinstance(scale, str):
        return blocks, located  # the schema refuses the scale itself
    for path in sorted(Path(folder).glob("*/config.yaml")):
        data, lines = read_config_file(path)
        if scale in data:
            name = path.parent.name
            blocks[name] = data[scale]
            located.update({("experiments", name, *key[1:]): line for key, line in lines.items() if key[0] == scale})
    return blocks, located


def _beneath(sections: dict, overrides):
    """The experiments' sections with the files' or command line's ``experiments`` entries merged
    over them (anything but a mapping there is left for the schema to refuse)."""
    if overrides is None:
        return sections
    return _merge(sections, overrides) if isinstance(overrides, dict) else overrides


def load_and_validate(paths, config: dict | None = None, schema: Path = SCHEMA, folder: Path = EXPERIMENTS) -> dict:
    """Validate the config read from ``paths`` (in order, later files overriding earlier ones)
    with every experiment's section for its scale from ``folder`` (``scale_sections``) beneath
    the files' ``experiments`` entries; each problem names the file and line of the offending key.

    In the workflow pass Snakemake's ``config`` (its merge of ``workflow.configfiles`` and any
    ``--config`` overrides): it is validated in place, the files only locate the keys. A value
    that is not the files' came from ``--config``, and its problem names that setting instead.
    Snakemake reads the values inside a ``--config`` mapping or list as text (YAML's BaseLoader);
    they are typed here as in a file, so ``train={resources: {mem_mb: 4000}}`` gives a number.
    """
    located: dict[KeyPath, str] = {}
    files: dict = {}
    for path in paths:
        data, lines = read_config_file(path)
        _merge(files, data)
        located.update(lines)
    sections, section_lines = scale_sections((files if config is None else config).get("scale"), folder)
    located = {**section_lines, **located}
    merged = {**files, "experiments": _beneath(copy.deepcopy(sections), files.get("experiments"))}
    if config is None:
        return validate(merged, schema, located, folder=folder)
    command_line = _not_from_files(config, files)
    for path, value in command_line.items():
        if len(path) > 1 or isinstance(value, (dict, list)):  # Snakemake types top-level values itself
            command_line[path] = _typed(value)
            _parent(config, path)[path[-1]] = command_line[path]
    config["experiments"] = _beneath(sections, config.get("experiments"))  # Snakemake's own dict: the rules read it
    return validate(config, schema, located, command_line, folder=folder)


def _not_from_files(config: dict, files: dict, path: KeyPath = ()) -> dict[KeyPath, object]:
    """Every value of ``config`` that the merged ``files`` do not give, by key path: what
    ``--config`` set, as Snakemake merges it (a mapping key by key, anything else whole)."""
    found = {}
    for key, value in config.items():
        if isinstance(value, dict) and isinstance(files.get(key), dict):
            found.update(_not_from_files(value, files[key], path + (key,)))
        elif key not in files or files[key] != value:
            found[path + (key,)] = value
    return found


def _typed(value):
    """``value`` with its text read as YAML reads a file's scalars (numbers, booleans, null)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if isinstance(value, str):
        try:
            scalar = yaml.safe_load(value)
        except yaml.YAMLError:
            return value
        return scalar if scalar is None or isinstance(scalar, (bool, int, float)) else value
    return value


def _parent(config: dict, path: KeyPath):
    for key in path[:-1]:
        config = config[key]
    return config


# ---------------------------------------------------------------------------------------------
# Validation


def validate(
    config: dict,
    schema: Path = SCHEMA,
    located: dict | None = None,
    command_line: dict | None = None,
    folder: Path = EXPERIMENTS,
) -> dict:
    """Raise ConfigError listing every problem if ``config`` breaks the schema or a rule across
    its keys; return it, with 'true'/'false' strings turned into booleans in place.

    ``located`` (key path -> 'file:line', as ``read_config_file`` returns it) and
    ``command_line`` (key path -> value set by ``--config``) say where each key was set, for the
    message; without them the message names the key only."""
    root = assemble_schema(Path(schema), Path(folder))
    if not isinstance(config, dict):
        raise ConfigError(f"invalid config: expected a mapping of the top-level keys, got {config!r} ({README})")
    _coerce_booleans(config, root, root)
    problems = _schema_problems(config, root)
    problems += _cross_field_problems(config, {path for path, _ in problems if path}, Path(folder))
    if problems:
        known = sorted(root["properties"]["experiments"]["properties"])
        problems.sort(key=lambda problem: _position(config, problem[0]))
        raise ConfigError(
            *(_message(path, problem, located or {}, command_line or {}, known) for path, problem in problems)
        )
    _fill_defaults(config, [root], root)
    return config


def _fill_defaults(node, schemas: list[dict], root: dict) -> None:
    """Give every key the schema declares with a ``default`` and the config leaves out that
    default, in place: the one place defaults are written, so the code reads ``cfg[key]`` and
    never repeats one. Follows ``$ref``, ``allOf`` and ``if``/``then``/``else`` (a default that
    depends on another key goes in a ``then``); ``oneOf``/``anyOf`` branches are not followed."""
    parts = [applied for schema in schemas for applied in _applicable(schema, node, root)]
    if isinstance(node, dict):
        for part in parts:
            for key, sub in part.get("properties", {}).items():
                if key not in node and "default" in sub:
                    node[key] = copy.deepcopy(sub["default"])
        for key, value in node.items():
            subs = [p["properties"][key] for p in parts if key in p.get("properties", {})]
            subs = subs or [p["additionalProperties"] for p in parts if isinstance(p.get("additionalProperties"), dict)]
            _fill_defaults(value, subs, root)
    elif isinstance(node, list):
        subs = [p["items"] for p in parts if isinstance(p.get("items"), dict)]
        for item in node:
            _fill_defaults(item, subs, root)


def _applicable(schema: dict, node, root: dict) -> Iterator[dict]:
    """``schema``, what it extends, and the ``then`` (or ``else``) of each ``if`` that ``node`` meets."""
    for part in _resolve(schema, root):
        yield part
        if "if" in part:
            met = Validator(root).evolve(schema=part["if"]).is_valid(node)
            branch = part.get("then" if met else "else")
            if isinstance(branch, dict):
                yield from _applicable(branch, node, root)


def _schema_problems(config: dict, root: dict) -> list[tuple[KeyPath, str]]:
    """(key path, problem) for each key the schema refuses, one problem per key.

    Unknown and missing keys are gathered per mapping, so that an unknown key that is a
    misspelling of a missing one is reported once, as the misspelling."""
    errors: dict[KeyPath, list[jsonschema.ValidationError]] = {}
    unknown: dict[KeyPath, list[str]] = {}
    missing: dict[KeyPath, list[str]] = {}
    for error in Validator(root).iter_errors(config):
        path = tuple(error.absolute_path)
        if error.validator == "required":
            keys = missing.setdefault(path, [])
            keys += [key for key in error.validator_value if key not in error.instance and key not in keys]
        elif error.validator in ("additionalProperties", "unevaluatedProperties"):
            keys = unknown.setdefault(path, [])
            keys += [key for key in _unknown_keys(error, root) if key not in keys]
        else:
            errors.setdefault(_error_path(error), []).append(error)
    # Several errors on one key: jsonschema's own choice of the most telling one.
    problems = [(path, _describe(jsonschema.exceptions.best_match(group), root)) for path, group in errors.items()]
    for path in dict.fromkeys([*unknown, *missing]):
        problems += _key_problems(path, unknown.get(path, []), missing.get(path, []), root)
    return problems


def _unknown_keys(error: jsonschema.ValidationError, root: dict) -> list[str]:
    """The truly unknown keys of an additional/unevaluated-properties error. A key that fails its
    own schema also counts as 'unevaluated' for the schema that extends it: that is no news."""
    if not isinstance(error.instance, dict):
        return []
    allowed = _declared(tuple(error.absolute_path), root, "properties")
    return [key for key in error.instance if key not in allowed]


def _error_path(error: jsonschema.ValidationError) -> KeyPath:
    """The key an error is about: for a refused key name the key itself, not the block holding it."""
    path = tuple(error.absolute_path)
    if "propertyNames" in error.relative_schema_path:
        return path + (error.instance,)
    return path


def _key_problems(path: KeyPath, unknown: list[str], missing: list[str], root: dict) -> list[tuple[KeyPath, str]]:
    """The unknown and missing keys of the mapping at ``path``, each with the fix. An unknown key
    close to a missing one is taken as its misspelling, which is then not also reported missing."""
    allowed = sorted(_declared(path, root, "properties"))
    missing = list(missing)
    problems = []
    for key in unknown:
        close = difflib.get_close_matches(str(key), missing, n=1) or difflib.get_close_matches(str(key), allowed, n=1)
        if close and close[0] in missing:
            missing.remove(close[0])
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if path == ("experiments",):
            problems.append(
                (
                    path + (key,),
                    (
                        f"unknown key {key!r}{hint}: no experiment has that id (there is no folder "
                        f"src/fprinciple/experiments/{key}/); known experiments: {', '.join(allowed)}"
                    ),
                )
            )
        else:
            problems.append((path + (key,), f"unknown key {key!r}{hint}; allowed keys: {', '.join(allowed)}"))
    if missing:
        required = _declared(path, root, "required")
        required += [key for key in missing if key not in required]  # required by an if/then rule
        keys, them = ("key", "it") if len(missing) == 1 else ("keys", "them")
        names = ", ".join(map(repr, missing))
        problems.append((path, f"missing {keys} {names}: add {them} (required keys: {', '.join(required)})"))
    return problems


def _position(config: dict, path: KeyPath) -> tuple[int, ...]:
    """Where ``path`` comes in ``config``, in its keys' order (the files' order): problems are
    listed in that order, a mapping's own before those of its keys."""
    position, node = [], config
    for key in path:
        if isinstance(node, dict) and key in node:
            position.append(list(node).index(key))
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            position.append(key)
        else:
            break
        node = node[key]
    return tuple(position)


def _message(path: KeyPath, problem: str, located: dict, command_line: dict, known: list[str]) -> str:
    where = ".".join(map(str, path)) or "(top level)"
    if len(path) >= 2 and path[0] == "experiments" and path[1] in known:
        docs = f"every key of {path[1]} is described in src/fprinciple/experiments/{path[1]}/README.md"
    else:
        docs = f"every key is described in {README}"
    return f"{_source(path, located, command_line)}invalid config: {where}: {problem} ({docs})"


def _source(path: KeyPath, located: dict, command_line: dict) -> str:
    """'--config KEY=VALUE: ' when ``path`` lies in a value set on the command line (it replaces
    all a file had below it), else 'file:line: ' of the deepest part of ``path`` a file defines,
    else (a top-level key missing) the files."""
    for depth in range(1, len(path) + 1):
        if path[:depth] in command_line:
            setting = command_line[path[:depth]]
            for key in reversed(path[1:depth]):
                setting = {key: setting}
            return f"--config {path[0]}={_as_argument(setting)}: "
    for depth in range(len(path), 0, -1):
        if path[:depth] in located:
            return f"{located[path[:depth]]}: "
    files = dict.fromkeys(  # the top-level files (a folder's section holds no top-level key)
        location.rsplit(":", 1)[0] for key, location in located.items() if key[0] != "experiments" or len(key) == 1
    )
    return f"{', '.join(files)}: " if files else ""


def _as_argument(value) -> str:
    """``value`` as it is written after ``--config KEY=`` (YAML flow style)."""
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True, width=math.inf).rstrip("\n").removesuffix("\n...")


def _describe(error: jsonschema.ValidationError, root: dict) -> str:
    """What is wrong and how to fix it, for one schema error (other than unknown or missing keys)."""
    value, kind, expected = error.instance, error.validator, error.validator_value
    if kind == "enum":
        close = _closest(value, expected)
        hint = f" (did you mean {close!r}?)" if close else ""
        if "propertyNames" in error.relative_schema_path:
            return f"unknown key {value!r}{hint}; allowed keys: {', '.join(map(str, expected))}"
        return f"{value!r} is not allowed; allowed values: {', '.join(map(str, expected))}{hint}"
    if kind == "const":
        return f"must be {expected!r}, got {value!r}"
    if kind == "type":
        return _type_problem(tuple(error.absolute_path), value, expected)
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"{value!r} must be {_range(error.schema)}"
    if kind == "minItems":
        return f"needs at least {expected} {'entry' if expected == 1 else 'entries'}, got {len(value)}"
    if kind == "maxItems":
        return f"allows at most {expected} entries, got {len(value)}"
    if kind == "minProperties":
        return f"needs at least {expected} {'key' if expected == 1 else 'keys'}, got none"
    if kind == "uniqueItems":
        return f"entries must be unique, got {value!r}"
    return error.message


# What other tools call an allowed value (PyTorch users say gpu, not cuda).
_SYNONYMS = {"gpu": "cuda", "nvidia": "cuda"}


def _closest(value, allowed: list) -> str | None:
    """The allowed value a user most likely meant: the same in another case, a synonym from
    ``_SYNONYMS``, else the closest spelling."""
    names = {str(name).lower(): str(name) for name in allowed}
    text = str(value).strip().lower()
    for candidate in (text, _SYNONYMS.get(text)):
        if candidate in names:
            return names[candidate]
    close = difflib.get_close_matches(str(value), list(names.values()), n=1)
    return close[0] if close else None


def _range(schema: dict) -> str:
    signs = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}
    return " and ".join(f"{sign} {schema[key]}" for key, sign in signs.items() if key in schema)


_YAML_TEXT_NUMBER = re.compile(r"([-+]?\d+)(?:\.(\d*))?[eE]([-+]?)(\d+)")


def _type_problem(path: KeyPath, value, expected) -> str:
    wanted = expected if isinstance(expected, str) else " or ".join(expected)
    problem = f"expected {wanted}, got {value!r} ({type(value).__name__})"
    if path == ("experiments",) and isinstance(value, (str, list)):
        ids = value if isinstance(value, list) else [value]
        return (
            f"{problem}: experiments holds every experiment's settings by id; to make the figures and claims "
            f"of some only, give `only`: --config 'only=[{', '.join(map(str, ids))}]' "
            f"(or python3 run.py figures {' '.join(map(str, ids))})"
        )
    numeric = {"number", "integer"} & set([expected] if isinstance(expected, str) else expected)
    if isinstance(value, str) and numeric:
        number = _YAML_TEXT_NUMBER.fullmatch(value.strip())
        if number:
            whole, fraction, sign, exponent = number.groups()
            return (
                f"{problem}: YAML reads a number in exponent form as text unless it has a decimal point "
                f"and a signed exponent; write {whole}.{fraction or '0'}e{sign or '+'}{exponent}"
            )
        try:
            float(value)
            return f"{problem}: write the number without quotes"
        except ValueError:
            return problem
    if isinstance(value, float) and value.is_integer() and "integer" in numeric:
        return f"{problem}: write {int(value)} (no decimal point)"
    if wanted == "boolean":
        return f"{problem}: write true or false"
    if wanted == "array" and not isinstance(value, (list, dict)):
        return f"{problem}: write a list, e.g. [{value}]"
    return problem


# ---------------------------------------------------------------------------------------------
# Rules across keys (what a JSON schema cannot say)


def _cross_field_problems(config: dict, refused: set[KeyPath], folder: Path) -> Iterator[tuple[KeyPath, str]]:
    """(key path, problem) for every rule across keys that the config breaks.

    The rules read keys as the schema describes them, so they skip any part the schema refused
    (a key path in ``refused``, or one above or below it): its problem is reported already."""

    def sound(path: KeyPath) -> bool:
        return path[0] in config and not any(path[: len(bad)] == bad or bad[: len(path)] == path for bad in refused)

    if not isinstance(config.get("experiments"), dict):
        return
    if sound(("only",)):
        for index, name in enumerate(config["only"]):
            if name not in config["experiments"]:
                close = difflib.get_close_matches(name, list(config["experiments"]), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                yield ("only", index), f"{name!r} is not an experiment of this config: {hint}name one of experiments"
    for name, block in config["experiments"].items():
        base = ("experiments", name)
        if not sound(base):
            continue
        for path, node in _dict_nodes(block, base):
            for rule in _NODE_RULES:
                yield from rule(path, node)
        if (own := _own_checks(folder / name / "checks.py")) is not None:
            yield from own(base, block)
        if sound(("train", "resources")):
            yield from _memory_problems(base, block, config["train"]["resources"])


def _own_checks(path: Path):
    """An experiment's own cross-field rules (``experiments/<id>/checks.py``: ``problems(path,
    block)``), or None. Loaded from the file: a check reads the config only, never the experiment."""
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"fprinciple_checks_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.problems


def _dict_nodes(node, path: KeyPath) -> Iterator[tuple[KeyPath, dict]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _dict_nodes(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _dict_nodes(value, path + (index,))


def _grid_ordered(path, node):
    grid = node.get("grid")
    if isinstance(grid, dict) and grid["low"] >= grid["high"]:
        yield path + ("grid",), f"low = {grid['low']} must be below high = {grid['high']}: swap them"


def _snapshots_within_steps(path, node):
    steps, snapshots = node.get("steps"), node.get("snapshot_steps")
    if steps is None or snapshots is None:
        return
    if list(snapshots) != sorted(set(snapshots)):
        yield path + ("snapshot_steps",), f"{snapshots} must be strictly increasing: write {sorted(set(snapshots))}"
    for index, step in enumerate(snapshots):
        if step > steps:
            yield path + ("snapshot_steps", index), f"{step} is beyond steps = {steps}: lower it or raise steps"


def _logging_within_training(path, node):
    for length in ("steps", "epochs"):
        if length in node and node.get("log_every", 0) > node[length]:
            yield (
                path + ("log_every",),
                (
                    f"{node['log_every']} is beyond {length} = {node[length]}: nothing after "
                    f"step 0 would be logged; lower log_every to at most {node[length]}"
                ),
            )


def _window_within_run(path, node):
    """A convergence window (``spectrum.window``, ``claims.window``) of more consecutive logged
    steps than a run logs can never be met: every claim on it would fail for that reason alone."""
    if "steps" not in node or not node.get("log_every"):
        return
    lengths = [node["steps"]] + [
        o["steps"] for o in (node.get("optimizers") or {}).values() if isinstance(o, dict) and "steps" in o
    ]
    logged = min(lengths) // node["log_every"] + 1
    for block in ("spectrum", "claims"):
        window = node[block].get("window") if isinstance(node.get(block), dict) else None
        if isinstance(window, int) and window > logged:
            yield (
                path + (block, "window"),
                (
                    f"{window} consecutive logged steps is more than the {logged} that the "
                    f"shortest run logs (steps {min(lengths)} // log_every {node['log_every']} + 1): lower it or log more often"
                ),
            )


def _full_batch_gd(path, node):
    named = [(path + ("optimizer",), node["optimizer"])] if isinstance(node.get("optimizer"), dict) else []
    if isinstance(node.get("optimizers"), dict):
        named += [(path + ("optimizers", key), {"name": key, **value}) for key, value in node["optimizers"].items()]
    for where, optimizer in named:
        if optimizer.get("name") == "gd" and optimizer.get("batch_size") is not None:
            yield where + ("batch_size",), "optimizer gd is full-batch, so batch_size must be null (or use sgd)"


def _amplitudes_match(path, node):
    target = node.get("target")
    if (
        isinstance(target, dict)
        and "amplitudes" in target
        and len(target["amplitudes"]) != len(target.get("frequencies", []))
    ):
        yield (
            path + ("target", "amplitudes"),
            (
                f"{len(target['amplitudes'])} amplitudes for "
                f"{len(target.get('frequencies', []))} frequencies: give one amplitude per frequency"
            ),
        )


def _below_nyquist(path, node):
    """A DFT of n samples has frequencies 0..n//2 only."""
    pairs = []
    if isinstance(node.get("spectrum"), dict) and isinstance(node.get("grid"), dict):
        pairs.append((("spectrum", "max_freq"), node["spectrum"]["max_freq"], ("grid", "n"), node["grid"]["n"]))
    if "max_freq" in node and "eval_points" in node:
        pairs.append((("max_freq",), node["max_freq"], ("eval_points",), node["eval_points"]))
    if isinstance(node.get("claims"), dict) and "max_freq" in node["claims"] and "grid_points" in node:
        pairs.append((("claims", "max_freq"), node["claims"]["max_freq"], ("grid_points",), node["grid_points"]))
    for key, max_freq, size_key, size in pairs:
        if max_freq is not None and max_freq > size // 2:
            yield (
                path + key,
                (
                    f"{max_freq} is above the Nyquist frequency {size // 2} of "
                    f"{'.'.join(size_key)} = {size} points: lower it to at most {size // 2} or use more points"
                ),
            )
    if "high_freq_min" in node and "max_freq" in node and node["high_freq_min"] > node["max_freq"]:
        yield (
            path + ("high_freq_min",),
            (
                f"{node['high_freq_min']} is beyond max_freq = {node['max_freq']}: "
                "the high-frequency band must start inside the logged spectrum"
            ),
        )
    frequencies, points = node.get("frequencies"), node.get("points")
    if isinstance(frequencies, list) and isinstance(points, int) and max(frequencies) >= points / 2:
        yield (
            path + ("frequencies",),
            (
                f"{max(frequencies)} is not below the Nyquist frequency of {points} "
                "evenly spaced points: use more points or lower frequencies"
            ),
        )


def _frequency_range(path, node):
    claims = node.get("claims")
    if "k_max" in node and isinstance(claims, dict) and "k_min" in claims and claims["k_min"] >= node["k_max"]:
        yield (
            path + ("claims", "k_min"),
            (
                f"{claims['k_min']} must be below k_max = {node['k_max']}: "
                "a slope needs at least two frequencies k_min..k_max"
            ),
        )
    if (
        isinstance(claims, dict)
        and "slope_min" in claims
        and claims["slope_min"] > claims.get("slope_max", float("inf"))
    ):
        yield (
            path + ("claims", "slope_min"),
            f"{claims['slope_min']} is above slope_max = {claims['slope_max']}: swap them",
        )


def _subset_within_dataset(path, node):
    data = node.get("data")
    if not isinstance(data, dict) or "dataset" not in data:
        return
    name, sizes = data["dataset"], SPLIT_SIZES.get(data["dataset"])
    for index, key in enumerate(("n_train", "n_test")):
        n = data.get(key)
        if n is None and sizes is None:
            yield path + ("data", key), f"{name} generates its samples, so {key} must be a number of samples, not null"
        elif n is not None and sizes is not None and n > sizes[index]:
            yield (
                path + ("data", key),
                (
                    f"{n} is more than the {sizes[index]} samples of {name}'s "
                    f"{'train' if index == 0 else 'test'} split: lower it (null = the whole split)"
                ),
            )
    if "n_val" in node:
        n_train = data.get("n_train") or (sizes or (None,))[0]
        if n_train is not None and node["n_val"] >= n_train:
            yield (
                path + ("n_val",),
                f"{node['n_val']} held-out samples leave none to train on: data.n_train is "
                + (
                    f"{n_train} (the whole split); lower n_val"
                    if data.get("n_train") is None
                    else f"{n_train}; lower n_val or raise data.n_train"
                ),
            )


def _k0_grid_ordered(path, node):
    grid = node.get("k0")
    if isinstance(grid, dict) and {"min", "max"} <= set(grid) and grid["min"] >= grid["max"]:
        yield path + ("k0",), f"min = {grid['min']} must be below max = {grid['max']}: swap them"


def _rdf_epochs_logged(path, node):
    """The effective-target RDF (XZ20) is measured at logged epochs, from epoch 0 (the claims
    compare with it), on at most the training samples there are."""
    rdf = node.get("rdf")
    if not isinstance(rdf, dict) or "epochs" not in node or not isinstance(rdf.get("measure_epochs"), list):
        return
    epochs, every = rdf["measure_epochs"], node.get("log_every", 1)
    if not epochs or epochs[0] != 0 or epochs != sorted(set(epochs)):
        yield (
            path + ("rdf", "measure_epochs"),
            f"{epochs} must be strictly increasing and start at 0 (the drop is measured from it)",
        )
    for index, epoch in enumerate(epochs):
        if epoch > node["epochs"]:
            yield (
                path + ("rdf", "measure_epochs", index),
                f"{epoch} is beyond epochs = {node['epochs']}: lower it or raise epochs",
            )
        elif epoch % every:
            yield (
                path + ("rdf", "measure_epochs", index),
                (f"{epoch} is not a multiple of log_every = {every}: the RDF is measured at logged epochs only"),
            )
    data = node.get("data")
    if isinstance(data, dict) and "n_samples" in rdf:
        n_train = data.get("n_train") or SPLIT_SIZES.get(data.get("dataset"), (None,))[0]
        if n_train is not None and rdf["n_samples"] > n_train:
            yield (
                path + ("rdf", "n_samples"),
                (f"{rdf['n_samples']} is more than the {n_train} training samples (data.n_train): lower it"),
            )


_NODE_RULES = (
    _grid_ordered,
    _snapshots_within_steps,
    _logging_within_training,
    _window_within_run,
    _full_batch_gd,
    _amplitudes_match,
    _below_nyquist,
    _frequency_range,
    _subset_within_dataset,
    _k0_grid_ordered,
    _rdf_epochs_logged,
)


def _memory_problems(base: KeyPath, block: dict, defaults: dict) -> Iterator[tuple[KeyPath, str]]:
    """A network whose weights and gradients alone exceed the job's ``mem_mb`` would die in the
    allocator after the queue wait; refuse it now. A floor, so it never refuses a job that fits."""
    mem_mb = block.get("resources", {}).get("mem_mb", defaults["mem_mb"])
    depth = max(block.get("depths", [1]))
    for path, node in _dict_nodes(block, base):
        for key, weights in _weight_floors(node, depth):
            needed = weights * BYTES_PER_WEIGHT / 2**20
            if needed > mem_mb:
                yield (
                    path + (key,),
                    (
                        f"a network of these widths has at least {weights:.3g} weights, "
                        f"{needed:.0f} MB with their gradients, more than mem_mb = {mem_mb}: use smaller widths, or "
                        f"raise {'.'.join(map(str, base))}.resources.mem_mb if the machine has the memory"
                    ),
                )


def _weight_floors(node: dict, depth: int) -> Iterator[tuple[str, int]]:
    """(key, lower bound on the weight count) of each network a config node describes: a chain
    of ``hidden`` widths, ``width`` units in each of ``depth`` layers, or a CNN's channels."""
    hidden = node.get("hidden")
    if isinstance(hidden, list) and hidden and all(isinstance(h, int) for h in hidden):
        yield "hidden", sum(a * b for a, b in itertools.pairwise(hidden)) + hidden[0] + hidden[-1]
    width = node.get("width")
    if isinstance(width, int) and not isinstance(width, bool):
        yield "width", width * width * (depth - 1) + 2 * width
    channels, dense = node.get("channels"), node.get("dense")
    if isinstance(channels, list) and len(channels) == 2 and isinstance(dense, int):
        yield "channels", 9 * channels[0] * channels[1] + channels[1] * dense


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m fprinciple.config [FILE...]``: check config files as the workflow would (several
    merged in order, as several ``--configfile``). Exit 0 when valid, 1 when not (every problem
    listed), 2 when a file is missing."""
    parser = argparse.ArgumentParser(
        prog="python -m fprinciple.config",
        description="Check fprinciple config files as the workflow would, before any job: every problem with its file and line.",
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        default=[_shown(ROOT / "config" / "config.yaml")],
        help="config files, merged in order as several --configfile (default: the quick scale, config/config.yaml)",
    )
    files = parser.parse_args(argv).files
    try:
        config = load_and_validate(files)
    except MissingConfigFile as error:
        print(f"ConfigError: {error}", file=sys.stderr)
        return 2
    except ConfigError as error:
        print(f"ConfigError: {error}", file=sys.stderr)
        return 1
    merged = " + ".join(files) + (" (merged in this order)" if len(files) > 1 else "")
    print(f"{merged}: valid (scale {config['scale']}, {len(config['experiments'])} experiments)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
