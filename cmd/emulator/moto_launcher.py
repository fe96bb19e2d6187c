#!/usr/bin/env python3
"""Start the moto server that the isb-go tests and local mode run against.

Usage: python3 moto_launcher.py --host 127.0.0.1 --port N   (N = 0 picks a free port)

This is the project's own launcher. It serves moto 5.2.1 on a loopback
address, applies a few in-process fixes for moto bugs and gaps that the
sandbox-pool workflows hit, and adds two endpoints of its own:

  GET /_local/health                               readiness probe
  GET /_local/ses/sent?account=<12 digits>&region=<r>  mail sent with SES/SESv2
  POST /_local/ce/spend  {"account", "linkedAccount", "day", "amount"}
                         adds simulated spend (local mode; see patch 9)
  GET /_local/ce/spend?account=<12 digits>         the simulated spend
  POST /_local/state, GET /_local/state            save / read back the state (--state)

In-process fixes (each one is our own code and logs a warning instead of
failing when the moto symbol it hooks is missing):

  1. Step Functions: every StartExecution after the first answered HTTP 500.
  2. EventBridge: DISABLED rules delivered; Step Functions targets failed;
     target Input/InputPath were ignored; the envelope had no "account".
  3. Step Functions aws-sdk:ssoadmin tasks: "Unknown service: 'ssoadmin'".
  4. IAM: AWS managed policies are parsed once instead of on every backend
     creation (speed only).
  6. Step Functions: $$.Execution.StartTime was a datetime (tasks passing it
     failed) and $$.State.EnteredTime Python's isoformat; both are now AWS's
     ISO 8601 UTC with milliseconds. SendTaskFailure dropped its cause.
  7. CodeBuild: StartBuild/BatchGetBuilds timestamps were ISO strings, which
     the SDKs cannot read (they want epoch seconds).
  8. DynamoDB: reads (GetItem, Query, BatchGetItem, TransactGetItems, ...)
     with a partition key over 2,048 bytes or a sort key over 1,024 bytes
     answered "not found" instead of DynamoDB's ValidationException.
  9. Cost Explorer (local mode): once spend was added through
     /_local/ce/spend for a caller account, its GetCostAndUsage answers
     from that ledger (daily, grouped by linked account, filtered to the
     requested accounts and days) instead of moto's static queue, which
     repeats its first answer for a repeated request.

When it is serving it prints exactly one line on stdout:

  READY http://127.0.0.1:<port>

Everything else (warnings, moto's request errors) goes to stderr.
With --state FILE it loads FILE at start when it exists (moto's backends
and the spend ledger, pickled), and POST /_local/state (body: local mode's
own record, JSON) writes them there atomically; GET /_local/state says
whether a state was loaded and returns that record.

It exits with status 0 on SIGTERM or SIGINT (SIGINT is ignored with
--managed: the Go side stops it with SIGTERM), 2 on bad arguments, 3 when
moto or its server extras cannot be imported and 4 when the state file
cannot be loaded.
"""

import argparse
import collections
import copy
import datetime
import ipaddress
import json
import logging
import os
import re
import signal
import threading
import sys
import uuid

SUPPORTED_MOTO = "5.2."
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"

log = logging.getLogger("isb.moto_launcher")


def warn(msg, *args):
    log.warning(msg, *args)


# --------------------------------------------------------------------------
# Environment and imports
# --------------------------------------------------------------------------


def prepare_environment():
    """Sets the environment moto reads before it is imported."""
    # AWS managed policies (AdministratorAccess, ...) must exist so that
    # AttachRolePolicy with an AWS managed ARN behaves as on AWS.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    # MOTO_ACCOUNT_ID would pin every request to one account and break the
    # hub/sandbox AssumeRole chain, so never let it through.
    if os.environ.pop("MOTO_ACCOUNT_ID", None) is not None:
        warn("ignoring MOTO_ACCOUNT_ID from the environment: the pool needs several accounts")


def import_moto():
    """Imports moto's server pieces or exits with status 3 saying what is missing."""
    missing = []
    for module in (
        "moto",
        "flask",
        "flask_cors",
        "werkzeug",
        "antlr4",  # Step Functions interpreter
        "jsonpath_ng",  # Step Functions interpreter and EventBridge
    ):
        try:
            __import__(module)
        except ImportError as err:
            missing.append(f"{module} ({err})")
    if missing:
        sys.stderr.write(
            "moto_launcher: cannot import " + ", ".join(missing) + ".\n"
            f"moto_launcher: python {sys.executable} needs moto 5.2.1 with its server extras "
            "(pip install 'moto[server]==5.2.1'): flask, flask-cors, antlr4-python3-runtime, jsonpath-ng.\n"
            "moto_launcher: PyPI is not reachable from this machine; use the Python that ships with "
            "the machine image (pyenv 3.11) or point ISB_PYTHON at an interpreter that has moto.\n"
        )
        sys.exit(3)

    import moto

    version = getattr(moto, "__version__", "unknown")
    if not str(version).startswith(SUPPORTED_MOTO):
        warn(
            "moto %s found; the launcher's patches target moto 5.2.1 and may not apply",
            version,
        )
    return version


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


def enable_interpreters():
    """Turns on the Step Functions interpreter and Docker-less Lambda.

    moto has no environment variable for these. The interpreter uses a separate
    backend, so state machines created before the switch would be invisible
    afterwards: set it before the server takes its first request.
    """
    try:
        from moto.core.config import default_user_config
    except ImportError as err:
        warn("cannot enable the Step Functions interpreter: %s", err)
        return
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    default_user_config["lambda"] = {"use_docker": False}


# --------------------------------------------------------------------------
# Patch 1: Step Functions, second StartExecution fails with HTTP 500
# --------------------------------------------------------------------------


def patch_sfn_state_machine_copy():
    """moto 5.2.1 bug (fixed upstream in 5.2.3): StepFunctionsParserBackend.
    start_execution deep-copies the state machine, which drags along its
    running executions (threads, RLocks) and the whole backend. From the second
    execution on this raises "cannot pickle '_thread.RLock'" and StartExecution
    answers HTTP 500.

    We give state machines a __deepcopy__ that copies the definition and
    settings, starts the copy with no executions and shares the backend.
    """
    try:
        from moto.stepfunctions.models import StateMachineInstance
    except ImportError as err:
        warn("SFN copy patch not applied: %s", err)
        return
    if "__deepcopy__" in vars(StateMachineInstance):
        warn("SFN copy patch not applied: StateMachineInstance already defines __deepcopy__")
        return

    shared = {"backend"}
    emptied = {"executions"}

    def state_machine_deepcopy(self, memo):
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for key, value in vars(self).items():
            if key in shared:
                setattr(clone, key, value)
            elif key in emptied:
                setattr(clone, key, [])
            else:
                setattr(clone, key, copy.deepcopy(value, memo))
        return clone

    StateMachineInstance.__deepcopy__ = state_machine_deepcopy


# --------------------------------------------------------------------------
# Patch 2: EventBridge rule delivery
# --------------------------------------------------------------------------

# The fields of the event envelope EventBridge delivers to a target.
ENVELOPE_FIELDS = (
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
)


def _iso_time(value):
    """Formats moto's internal epoch-seconds event time as EventBridge does."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and re.fullmatch(r"[0-9.]+", value)):
        moment = datetime.datetime.fromtimestamp(float(value), tz=datetime.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _envelope(event):
    """Builds the delivered envelope, including the account field moto drops."""
    out = {key: copy.deepcopy(event[key]) for key in ENVELOPE_FIELDS if key in event}
    if "time" in out:
        out["time"] = _iso_time(out["time"])
    return out


def _target_payload(target, event):
    """Returns the JSON text a target receives, or None to drop the event.

    Input (constant JSON) and InputPath (a JSONPath into the envelope) are
    honoured; moto 5.2.1 ignores both and always sends the whole envelope.
    """
    if target.get("Input") is not None:
        return target["Input"]
    envelope = _envelope(event)
    if target.get("InputPath"):
        from jsonpath_ng.ext import parse

        matches = parse(target["InputPath"]).find(envelope)
        if not matches:
            warn("InputPath %s matched nothing; event %s dropped for target %s",
                 target["InputPath"], event.get("id"), target.get("Id"))
            return None
        return json.dumps(matches[0].value)
    return json.dumps(envelope)


def _send_to_queue(rule, target, queue_name, body):
    from moto.sqs import sqs_backends

    backend = sqs_backends[rule.account_id][rule.region_name]
    group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
    if group_id:
        attrs = backend.get_queue_attributes(
            queue_name=queue_name, attribute_names=["ContentBasedDeduplication"]
        )
        if attrs.get("ContentBasedDeduplication") == "false":
            warn("FIFO queue %s needs content-based deduplication for EventBridge; event dropped", queue_name)
            return
    backend.send_message(queue_name=queue_name, message_body=body, group_id=group_id)


def _execution_name():
    try:
        from moto.moto_api._internal import mock_random

        return str(mock_random.uuid4())  # deterministic after /moto-api/seed
    except ImportError:
        return str(uuid.uuid4())


def _start_state_machine(arn, state_machine_arn, body):
    from moto.stepfunctions.responses import get_backend

    backend = get_backend(arn.account, arn.region)
    backend.start_execution(
        state_machine_arn=state_machine_arn,
        name=_execution_name(),
        execution_input=body,
    )


def patch_events_delivery():
    """moto 5.2.1 gaps in Rule.send_to_targets / EventsBackend.put_events:

    - DISABLED rules still deliver (put_events never checks Rule.state);
    - Step Functions targets raise NotImplementedError, so PutEvents answers 500;
    - target Input and InputPath are ignored (only InputTransformer is honoured);
    - the delivered envelope lacks the "account" field.

    We wrap Rule.send_to_targets: disabled rules deliver nothing; SQS and Step
    Functions targets without an InputTransformer are delivered here; every
    other target (InputTransformer, logs, archives, buses, API destinations,
    unsupported services) goes through moto's own code unchanged.
    """
    try:
        from moto.events.models import Rule
        from moto.utilities.arns import parse_arn
    except ImportError as err:
        warn("EventBridge patch not applied: %s", err)
        return
    original = getattr(Rule, "send_to_targets", None)
    if original is None or getattr(original, "_isb_patched", False):
        warn("EventBridge patch not applied: Rule.send_to_targets is missing or already patched")
        return

    def send_to_targets(self, original_event, transform_input=True):
        if getattr(self, "state", "ENABLED") == "DISABLED":
            return
        if not self.event_pattern.matches_event(original_event):
            return
        left_to_moto = []
        for target in self.targets:
            arn = parse_arn(target["Arn"])
            ours = (
                transform_input
                and not target.get("InputTransformer")
                and (
                    arn.service == "sqs"
                    or (arn.service == "states" and arn.resource_type == "stateMachine")
                )
            )
            if not ours:
                left_to_moto.append(target)
                continue
            body = _target_payload(target, original_event)
            if body is None:
                continue
            if arn.service == "sqs":
                _send_to_queue(self, target, arn.resource_id, body)
            else:
                _start_state_machine(arn, target["Arn"], body)
        if left_to_moto:
            view = copy.copy(self)
            view.targets = left_to_moto
            original(view, original_event, transform_input)

    send_to_targets._isb_patched = True
    Rule.send_to_targets = send_to_targets


# --------------------------------------------------------------------------
# Patch 3: Step Functions aws-sdk:ssoadmin tasks
# --------------------------------------------------------------------------


def patch_sfn_sdk_service_names():
    """moto 5.2.1 gap: arn:aws:states:::aws-sdk:ssoadmin:* tasks fail with
    "Unknown service: 'ssoadmin'": the interpreter maps only sfn/states to
    boto3 names, and boto3 calls the service sso-admin.
    """
    try:
        from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
            state_task_service,
        )
    except ImportError as err:
        warn("SFN ssoadmin mapping not applied: %s", err)
        return
    overrides = getattr(state_task_service.StateTaskService, "_SERVICE_NAME_SFN_TO_BOTO_OVERRIDES", None)
    if not isinstance(overrides, dict):
        warn("SFN ssoadmin mapping not applied: service-name override table not found")
        return
    overrides.setdefault("ssoadmin", "sso-admin")
    try:
        from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
            state_task_service_aws_sdk as aws_sdk,
        )

        # Error names as Step Functions reports them (SsoAdmin.ConflictException).
        aws_sdk._SERVICE_ERROR_NAMES.setdefault("ssoadmin", "SsoAdmin")
    except (ImportError, AttributeError):
        pass


# --------------------------------------------------------------------------
# Patch 4: IAM managed-policy loading (speed only)
# --------------------------------------------------------------------------


# The parsed AWS managed policies (patch 4), also used to rebuild them when a
# saved state is loaded.
_AWS_POLICY_SPECS = []
_AWS_POLICY_BY_NAME = {}


def patch_iam_managed_policy_cache():
    """moto 5.2.1 cost: with MOTO_IAM_LOAD_MANAGED_POLICIES every IAMBackend
    (7 per account, one per partition, rebuilt on every /moto-api/reset)
    re-parses the ~1,500-policy JSON blob and re-serialises each document.
    That made each test's reset and first call ~0.5 s slower.

    We parse and serialise once and build the same AWSManagedPolicy objects
    from the cached values. Behaviour is unchanged.
    """
    try:
        from moto.iam import models as iam_models

        policy_cls = iam_models.AWSManagedPolicy
        backend_cls = iam_models.IAMBackend
        enabled = iam_models.load_iam_aws_managed_policies
        raw = iam_models.aws_managed_policies_data
    except (ImportError, AttributeError) as err:
        warn("IAM managed-policy cache not applied: %s", err)
        return
    if not callable(getattr(backend_cls, "_init_aws_policies", None)):
        warn("IAM managed-policy cache not applied: IAMBackend._init_aws_policies not found")
        return

    cache = _AWS_POLICY_SPECS

    def cached_policies():
        if not cache:
            for name, data in json.loads(raw).items():
                cache.append(
                    dict(
                        name=name,
                        default_version_id=data.get("DefaultVersionId"),
                        path=data.get("Path"),
                        document=json.dumps(data.get("Document")),
                        create_date=datetime.datetime.fromisoformat(data["CreateDate"]),
                        update_date=datetime.datetime.fromisoformat(data["UpdateDate"]),
                    )
                )
        return cache

    def init_aws_policies(self):
        if not enabled():
            return []
        return [
            policy_cls(
                p["name"],
                account_id=self.account_id,
                region=self.region_name,
                default_version_id=p["default_version_id"],
                path=p["path"],
                document=p["document"],
                create_date=p["create_date"],
                update_date=p["update_date"],
            )
            for p in cached_policies()
        ]

    backend_cls._init_aws_policies = init_aws_policies
    cached_policies()


# --------------------------------------------------------------------------
# Patch 5: DynamoDB requests are atomic, transactions copy only what they touch
# --------------------------------------------------------------------------


# Held by every DynamoDB request (patch 5) and by a save of the state.
_DYNAMODB_LOCK = threading.RLock()


def patch_dynamodb_atomicity():
    """moto 5.2.1 gap: the threaded server runs DynamoDB requests side by
    side with no lock, and TransactWriteItems applies its items one by one,
    then "rolls back" a failed transaction by restoring a deep copy of every
    table it touched, taken at the start. Two concurrent transactions can
    therefore both pass their conditions (two grants of one account), a
    rollback can erase another request's committed write, and every
    transaction costs a copy of whole tables (O(table size)).

    DynamoDB makes each request atomic. We (1) run every DynamoDB request
    under one lock, and (2) make a transaction snapshot only the items it
    names and restore exactly those if it fails, instead of whole tables.
    """
    try:
        from moto.dynamodb import models as ddb_models
        from moto.dynamodb import responses as ddb_responses

        handler_cls = ddb_responses.DynamoHandler
        backend_cls = ddb_models.DynamoDBBackend
        table_cls = ddb_models.Table
        original_call = handler_cls.call_action
        original_transact = backend_cls.transact_write_items
    except (ImportError, AttributeError) as err:
        warn("DynamoDB atomicity patch not applied: %s", err)
        return

    lock = _DYNAMODB_LOCK

    def call_action(self):
        with lock:
            return original_call(self)

    real_copy = ddb_models.copy

    class TableSharingCopy:
        """Stands in for the copy module inside one transaction: tables are
        "copied" by reference (we restore touched items ourselves)."""

        def deepcopy(self, obj, memo=None):
            if isinstance(obj, table_cls):
                return obj
            return real_copy.deepcopy(obj, memo)

        def __getattr__(self, name):
            return getattr(real_copy, name)

    def item_key(backend, op_type, op):
        table = backend.get_table(op["TableName"])
        if op_type != "Put":
            return table, op["Key"]
        attrs = op["Item"]
        key = {table.hash_key_attr: attrs[table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = attrs[table.range_key_attr]
        return table, key

    def transact_write_items(self, transact_items):
        with lock:
            touched = []
            for entry in transact_items:
                try:
                    op_type, op = next(iter(entry.items()))
                    table, key = item_key(self, op_type, op)
                    current = self.get_item(table.name, key)
                    before = real_copy.deepcopy(current.to_json()["Attributes"]) if current else None
                    touched.append((table.name, key, before))
                except Exception:  # the original reports malformed items itself
                    continue
            ddb_models.copy = TableSharingCopy()
            try:
                return original_transact(self, transact_items)
            except Exception:
                for table_name, key, before in reversed(touched):
                    if before is None:
                        if self.get_item(table_name, key) is not None:
                            self.delete_item(table_name, key)
                    else:
                        self.put_item(table_name, before)
                raise
            finally:
                ddb_models.copy = real_copy

    handler_cls.call_action = call_action
    backend_cls.transact_write_items = transact_write_items


# --------------------------------------------------------------------------
# Patch 6: Step Functions context object times (account cleaner)
# --------------------------------------------------------------------------
# $$.Execution.StartTime is a Python datetime in moto, so a task that passes
# it to an AWS call fails with "Object of type datetime is not JSON
# serializable", and $$.State.EnteredTime is Python's isoformat(). AWS gives
# both as ISO 8601 strings in UTC with milliseconds: 2026-11-23T10:00:00.123Z.


def _aws_time(value):
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def patch_sfn_context_times():
    try:
        from moto.stepfunctions.parser.backend import execution_worker
        from moto.stepfunctions.parser.asl.component.state import state as state_module
    except ImportError as err:
        warn("cannot patch Step Functions context times: %s", err)
        return
    worker_cls = execution_worker.ExecutionWorker
    original_env = worker_cls._get_evaluation_environment

    def get_evaluation_environment(self):
        env = original_env(self)
        execution = env.states.context_object.context_object_data["Execution"]
        execution["StartTime"] = _aws_time(execution["StartTime"])
        return env

    worker_cls._get_evaluation_environment = get_evaluation_environment

    class _AwsDatetime(datetime.datetime):
        def isoformat(self, *args, **kwargs):
            return _aws_time(self)

    utc_timezone = datetime.timezone

    class _DatetimeModule:
        datetime = _AwsDatetime
        timezone = utc_timezone

    state_module.datetime = _DatetimeModule

    # SendTaskFailure dropped its cause, so a Catch saw {"Error", "Cause": null}.
    try:
        from moto.stepfunctions.responses import StepFunctionResponse
        from moto.core.responses import EmptyResult
    except ImportError as err:
        warn("cannot patch SendTaskFailure: %s", err)
        return

    def send_task_failure(self):
        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause"))
        return EmptyResult()

    StepFunctionResponse.send_task_failure = send_task_failure


# --------------------------------------------------------------------------
# Patch 7: CodeBuild build timestamps (account cleaner)
# --------------------------------------------------------------------------
# StartBuild and BatchGetBuilds answered startTime/endTime as ISO strings;
# CodeBuild's JSON protocol (and so the Go SDK) wants epoch seconds.


def _epoch_times(value):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k.endswith("Time") and isinstance(v, str):
                try:
                    v = datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
                except ValueError:
                    pass
            out[k] = _epoch_times(v)
        return out
    if isinstance(value, list):
        return [_epoch_times(v) for v in value]
    return value


def patch_codebuild_times():
    try:
        from moto.codebuild.responses import CodeBuildResponse
    except ImportError as err:
        warn("cannot patch CodeBuild timestamps: %s", err)
        return
    for name in ("start_build", "batch_get_builds"):
        original = getattr(CodeBuildResponse, name, None)
        if original is None:
            warn("cannot patch CodeBuild %s: not found", name)
            continue

        def wrapped(self, _original=original):
            body = _original(self)
            if isinstance(body, str):
                try:
                    return json.dumps(_epoch_times(json.loads(body)))
                except ValueError:
                    return body
            return body

        setattr(CodeBuildResponse, name, wrapped)


# --------------------------------------------------------------------------
# Patch 8: DynamoDB key sizes on reads
# --------------------------------------------------------------------------


def patch_dynamodb_read_key_sizes():
    """moto 5.2.1 gap: only writes check key sizes. DynamoDB refuses a
    partition key over 2,048 bytes or a sort key over 1,024 bytes with a
    ValidationException on every request that names a key (GetItem,
    DeleteItem, Query, BatchGetItem, TransactGetItems, ConditionCheck),
    where moto answers "not found". The API must refuse such values itself,
    and the tests can only see that it does if the emulator refuses them too.

    We check the key values Table.get_item, Table.delete_item and
    Table.query receive (every read path goes through them) with moto's own
    limits and messages, which are DynamoDB's.
    """
    try:
        from moto.dynamodb.models.table import Table
        from moto.dynamodb.exceptions import HashKeyTooLong, RangeKeyTooLong
        from moto.dynamodb.limits import HASH_KEY_MAX_LENGTH, RANGE_KEY_MAX_LENGTH
    except ImportError as err:
        warn("DynamoDB read key-size patch not applied: %s", err)
        return
    originals = {name: getattr(Table, name, None) for name in ("get_item", "delete_item", "query")}
    if any(f is None or getattr(f, "_isb_patched", False) for f in originals.values()):
        warn("DynamoDB read key-size patch not applied: Table methods missing or already patched")
        return

    def size(value):
        try:
            return value.size()
        except Exception:  # not a DynamoType: leave it to moto
            return 0

    def check(hash_values, range_values):
        for v in hash_values:
            if v is not None and size(v) > HASH_KEY_MAX_LENGTH:
                raise HashKeyTooLong
        for v in range_values:
            if v is not None and size(v) > RANGE_KEY_MAX_LENGTH:
                raise RangeKeyTooLong

    def get_item(self, hash_key, range_key=None, *args, **kwargs):
        check([hash_key], [range_key])
        return originals["get_item"](self, hash_key, range_key, *args, **kwargs)

    def delete_item(self, hash_key, range_key, *args, **kwargs):
        check([hash_key], [range_key])
        return originals["delete_item"](self, hash_key, range_key, *args, **kwargs)

    def query(self, hash_key, range_comparison, range_objs, *args, **kwargs):
        hashes = [hash_key] + [v for _, v in kwargs.get("hash_key_conditions") or []]
        ranges = list(range_objs or [])
        for cond in kwargs.get("range_key_conditions") or []:
            ranges.extend(cond[2] or [])
        check(hashes, ranges)
        return originals["query"](self, hash_key, range_comparison, range_objs, *args, **kwargs)

    for name, fn in (("get_item", get_item), ("delete_item", delete_item), ("query", query)):
        fn._isb_patched = True
        setattr(Table, name, fn)


# --------------------------------------------------------------------------
# Endpoints of our own
# --------------------------------------------------------------------------

ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


def _sent_messages(account, region):
    """Lists what SES and SESv2 sent from account+region.

    /moto-api/data.json would show the same data, but it answers 500 as soon as
    a Lambda function exists without Docker.
    """
    from moto.ses.models import ses_backends

    backend = ses_backends[account][region]
    out = []
    for message in list(getattr(backend, "sent_messages", [])):
        entry = {"kind": type(message).__name__}
        for key, name in (
            ("id", "id"),
            ("source", "source"),
            ("destinations", "destinations"),
            ("subject", "subject"),
            ("body", "body"),
            ("template", "template"),
            ("template_data", "templateData"),
            ("raw_data", "rawData"),
        ):
            if hasattr(message, key):
                entry[name] = getattr(message, key)
        out.append(entry)
    return out


# caller account -> {(linked account, day): amount}
_SPEND = {}
_SPEND_LOCK = threading.Lock()


def _linked_accounts(expr):
    """The LINKED_ACCOUNT values a Cost Explorer filter selects (outside Not)."""
    if not isinstance(expr, dict):
        return None
    dims = expr.get("Dimensions")
    if isinstance(dims, dict) and dims.get("Key") == "LINKED_ACCOUNT":
        return set(dims.get("Values") or [])
    for sub in expr.get("And") or []:
        found = _linked_accounts(sub)
        if found is not None:
            return found
    return None


def _ledger_answer(account, body):
    with _SPEND_LOCK:
        ledger = dict(_SPEND.get(account, {}))
    req = json.loads(body or "{}")
    period = req.get("TimePeriod") or {}
    start, end = period.get("Start", ""), period.get("End", "")
    wanted = _linked_accounts(req.get("Filter"))
    by_day = {}
    for (linked, day), amount in sorted(ledger.items()):
        if not (start <= day < end) or (wanted is not None and linked not in wanted):
            continue
        by_day.setdefault(day, []).append(
            {"Keys": [linked], "Metrics": {"UnblendedCost": {"Amount": repr(amount), "Unit": "USD"}}}
        )
    results = []
    for day in sorted(by_day):
        nxt = (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()
        results.append({"TimePeriod": {"Start": day, "End": nxt}, "Total": {}, "Groups": by_day[day], "Estimated": True})
    return {"ResultsByTime": results, "DimensionValueAttributes": []}


def patch_ce_spend_ledger():
    try:
        from moto.ce.models import CostExplorerBackend
    except Exception as err:  # pragma: no cover - depends on moto's layout
        warn("CE spend ledger not applied: %s", err)
        return
    original = CostExplorerBackend.get_cost_and_usage

    def get_cost_and_usage(self, body):
        with _SPEND_LOCK:
            has = self.account_id in _SPEND
        if not has:
            return original(self, body)
        return _ledger_answer(self.account_id, body)

    CostExplorerBackend.get_cost_and_usage = get_cost_and_usage


def _add_spend(request):
    try:
        doc = json.loads(request.get_data(as_text=True) or "{}")
        account, linked, day = doc["account"], doc["linkedAccount"], doc["day"]
        amount = float(doc["amount"])
    except (ValueError, KeyError, TypeError) as err:
        return "400 Bad Request", {"error": f"spend needs account, linkedAccount, day and amount: {err}"}
    if not ACCOUNT_RE.match(str(account)) or not ACCOUNT_RE.match(str(linked)):
        return "400 Bad Request", {"error": "account and linkedAccount must be 12 digits"}
    try:
        datetime.date.fromisoformat(day)
    except (ValueError, TypeError):
        return "400 Bad Request", {"error": f"day must be yyyy-mm-dd, got {day!r}"}
    if not amount >= 0:
        return "400 Bad Request", {"error": "amount must be a non-negative number"}
    with _SPEND_LOCK:
        ledger = _SPEND.setdefault(account, {})
        ledger[(linked, day)] = ledger.get((linked, day), 0.0) + amount
        total = sum(v for (a, _), v in ledger.items() if a == linked)
    return "200 OK", {"account": account, "linkedAccount": linked, "total": total}


def _list_spend(account):
    with _SPEND_LOCK:
        ledger = dict(_SPEND.get(account, {}))
    return [{"linkedAccount": a, "day": d, "amount": v} for (a, d), v in sorted(ledger.items())]


class LocalRoutes:
    """WSGI middleware serving /_local/* and passing everything else to moto."""

    def __init__(self, app, version, state_path=None, restored=None):
        self.app = app
        self.version = version
        self.state_path = state_path
        # The platform's record from the loaded state (None: started fresh).
        self.restored = restored

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/moto-api/reset":
            with _SPEND_LOCK:
                _SPEND.clear()
        if not path.startswith("/_local/"):
            return self.app(environ, start_response)
        from werkzeug.wrappers import Request

        request = Request(environ)
        status, payload = self.route(request)
        body = json.dumps(payload, default=str).encode("utf-8")
        start_response(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def route(self, request):
        if request.path == "/_local/ce/spend" and request.method == "POST":
            return _add_spend(request)
        if request.path == "/_local/state" and request.method == "POST":
            return self.save(request)
        if request.path == "/_local/state" and request.method == "GET":
            if self.restored is None:
                return "200 OK", {"restored": False}
            return "200 OK", {"restored": True, "platform": self.restored}
        if request.method != "GET":
            return "405 Method Not Allowed", {"error": "only GET is served under /_local/"}
        if request.path == "/_local/health":
            return "200 OK", {"status": "ok", "moto": self.version}
        if request.path == "/_local/ses/sent":
            account = request.args.get("account", DEFAULT_ACCOUNT)
            region = request.args.get("region", DEFAULT_REGION)
            if not ACCOUNT_RE.match(account):
                return "400 Bad Request", {"error": f"account must be 12 digits, got {account!r}"}
            if not REGION_RE.match(region):
                return "400 Bad Request", {"error": f"region {region!r} is not a region name"}
            try:
                messages = _sent_messages(account, region)
            except Exception as err:  # report, don't take the server down
                log.exception("listing sent SES messages")
                return "500 Internal Server Error", {"error": str(err)}
            return "200 OK", {"account": account, "region": region, "messages": messages}
        if request.path == "/_local/ce/spend":
            account = request.args.get("account", DEFAULT_ACCOUNT)
            if not ACCOUNT_RE.match(account):
                return "400 Bad Request", {"error": f"account must be 12 digits, got {account!r}"}
            return "200 OK", {"account": account, "spend": _list_spend(account)}
        return "404 Not Found", {"error": f"no local endpoint {request.path}"}

    def save(self, request):
        if not self.state_path:
            return "409 Conflict", {"error": "the launcher was started without --state; there is nowhere to save"}
        try:
            platform = json.loads(request.get_data(as_text=True) or "null")
        except ValueError as err:
            return "400 Bad Request", {"error": f"the platform record must be JSON: {err}"}
        try:
            size = save_state(self.state_path, self.version, platform)
        except StateError as err:
            log.exception("saving the state")
            return "500 Internal Server Error", {"error": str(err)}
        return "200 OK", {"path": self.state_path, "bytes": size}


# --------------------------------------------------------------------------
# State kept between runs (local mode's ISB_LOCAL_STATE)
# --------------------------------------------------------------------------

# The first line of a state file; a file with another first line was written
# by another version of this format and is refused, never half-read.
STATE_FORMAT = "isb-moto-state/1"


class StateError(Exception):
    """A state file that cannot be read or written."""


def _state_header(version):
    return json.dumps({"format": STATE_FORMAT, "moto": version, "python": sys.version.split()[0]})


def _live_backend_dicts():
    """Every BackendDict in use, with the module attribute that holds it.

    Loading puts the saved accounts back into those same objects, because
    moto's modules (and other backends) hold them by reference.
    """
    from moto.core.base_backend import BackendDict

    found = []
    seen = set()
    for bd in list(BackendDict._instances):
        if id(bd) in seen:
            continue
        seen.add(id(bd))
        found.append((_backend_dict_home(bd), bd))
    return found


def _backend_dict_home(bd):
    for name, module in list(sys.modules.items()):
        if not name.startswith("moto.") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if value is bd:
                return (name, attr)
    raise StateError(f"cannot find the module holding the {bd.service_name} backends")


def _state_pickler(out):
    """A pickler for moto's backends.

    Locks are saved as new locks; threads, Step Functions execution workers
    and SDK clients are not saved (a running execution is stopped on load);
    a BackendDict referenced from inside a backend is saved by name, so it
    is the live one again after loading.
    """
    import pickle
    import _thread
    from moto.core.base_backend import AccountSpecificBackend, BackendDict

    lock_types = (type(_thread.allocate_lock()), type(threading.RLock()))
    try:
        from botocore.client import BaseClient
    except ImportError:  # pragma: no cover
        BaseClient = ()

    private_keys, public_keys = _crypto_key_types()
    aws_policy = _aws_policy_class()

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if type(obj) is aws_policy and obj.partition in _PARTITION_REGIONS:
                # ~1,500 per IAM backend, 10 MB a backend: saved by name
                return ("awspolicy", obj.account_id, obj.partition, obj.name, obj.attachment_count)
            if isinstance(obj, BackendDict):
                return ("backends",) + _backend_dict_home(obj)
            if isinstance(obj, (threading.Thread, BaseClient)):
                return ("none",)
            return None

        def reducer_override(self, obj):
            if private_keys and isinstance(obj, private_keys):
                return (_load_private_key, (_private_key_pem(obj),))
            if public_keys and isinstance(obj, public_keys):
                return (_load_public_key, (_public_key_pem(obj),))
            if isinstance(obj, AccountSpecificBackend) and obj.service_name == "iam":
                # IAM keeps a backend per partition, each with ~1,500 AWS
                # managed policies; the platform uses only "aws", and the
                # others are created again when first used.
                items = [(k, v) for k, v in obj.items() if k == "aws"]
                return (copy_reg_new, (type(obj),), vars(obj), None, iter(items))
            if type(obj) is collections.defaultdict and _is_local(obj.default_factory):
                return (collections.defaultdict, (_Factory.of(obj.default_factory),), None, None, iter(obj.items()))
            if isinstance(obj, collections.defaultdict) and type(obj) is not collections.defaultdict:
                # A subclass's __init__ takes other arguments (SSM's
                # ParameterDict): build it without, then fill it.
                factory = _Factory.of(obj.default_factory)
                state = (dict(vars(obj)), list(obj.items()))
                return (_new_defaultdict, (type(obj), factory), state, None, None, _fill_dict)
            if isinstance(obj, lock_types):
                return (type(obj) is lock_types[1] and threading.RLock or _thread.allocate_lock, ())
            if type(obj).__name__ == "Execution" and type(obj).__module__.startswith("moto.stepfunctions.parser"):
                state = dict(vars(obj))
                state["exec_worker"] = None
                return (copy_reg_new, (type(obj),), state)
            return NotImplemented

    return Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)


def _crypto_key_types():
    """KMS keeps its keys as cryptography objects, which do not pickle: they
    are saved as PEM."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    except ImportError:  # pragma: no cover
        return (), ()
    return (
        (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey),
        (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey),
    )


def _private_key_pem(key):
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _public_key_pem(key):
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _load_private_key(pem):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, password=None)


def _load_public_key(pem):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(pem)


# A region of each partition, to rebuild an AWS managed policy in it.
_PARTITION_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def _aws_policy_class():
    try:
        from moto.iam.models import AWSManagedPolicy
    except ImportError:  # pragma: no cover
        return None
    return AWSManagedPolicy if _AWS_POLICY_SPECS else None


def _aws_policy(account_id, partition, name, attachment_count):
    """Rebuilds an AWS managed policy saved by name from patch 4's cache."""
    from moto.iam.models import AWSManagedPolicy

    if not _AWS_POLICY_BY_NAME:
        _AWS_POLICY_BY_NAME.update((p["name"], p) for p in _AWS_POLICY_SPECS)
    spec = _AWS_POLICY_BY_NAME.get(name)
    if spec is None:
        raise StateError(f"the saved state names an AWS managed policy {name!r} this moto does not have")
    policy = AWSManagedPolicy(
        name,
        account_id=account_id,
        region=_PARTITION_REGIONS[partition],
        default_version_id=spec["default_version_id"],
        path=spec["path"],
        document=spec["document"],
        create_date=spec["create_date"],
        update_date=spec["update_date"],
    )
    policy.attachment_count = attachment_count
    return policy


def _is_local(fn):
    """Whether fn is a lambda or a nested function, which pickle cannot
    save by name."""
    return callable(fn) and "<" in getattr(fn, "__qualname__", "")


class _Factory:
    """A defaultdict factory saved by what it makes: moto builds some of its
    defaultdicts with lambdas (lambda: defaultdict(dict))."""

    def __init__(self, make, inner=None):
        self.make, self.inner = make, inner

    @classmethod
    def of(cls, fn):
        if not _is_local(fn):
            return fn
        sample = fn()
        if type(sample) is collections.defaultdict:
            return cls(collections.defaultdict, cls.of(sample.default_factory))
        if type(sample) in (dict, list, set, int, float, str) and sample == type(sample)():
            return cls(type(sample))
        raise StateError(f"cannot save a defaultdict made by {fn.__qualname__} (it makes a {type(sample).__name__})")

    def __call__(self):
        return self.make() if self.inner is None else self.make(self.inner)


def _new_defaultdict(cls, factory):
    obj = cls.__new__(cls)
    collections.defaultdict.__init__(obj, factory)
    return obj


def _fill_dict(obj, state):
    attrs, items = state
    vars(obj).update(attrs)
    dict.update(obj, items)


def copy_reg_new(cls):
    return cls.__new__(cls)


def _state_unpickler(inp):
    import importlib
    import pickle

    policies = {}

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            # The launcher's own helpers were saved as __main__'s.
            if module == "__main__":
                module = __name__
            return super().find_class(module, name)

        def persistent_load(self, pid):
            if pid[0] == "backends":
                return getattr(importlib.import_module(pid[1]), pid[2])
            if pid[0] == "none":
                return None
            if pid[0] == "awspolicy":
                key = pid[1:4]
                if key not in policies:
                    policies[key] = _aws_policy(*pid[1:])
                return policies[key]
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")

    return Unpickler(inp)


def save_state(path, version, platform):
    """Writes every backend, the spend ledger and the platform's own record
    (local mode's JSON) to path: a temporary file in the same directory,
    flushed to disk, then renamed over path, so a crash at any moment leaves
    the previous state whole."""
    from moto.core.base_backend import backend_lock

    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        for attempt in range(5):
            try:
                _write_state(tmp, version, platform, backend_lock)
                break
            except RuntimeError as err:
                # A request or a Step Functions execution thread changed a
                # backend while it was being saved ("changed size during
                # iteration"). Local mode saves when its own callers are
                # stopped (and once at its first ready moment).
                if attempt == 4:
                    raise
                warn("state changed while saving (%s); saving again", err)
        os.replace(tmp, path)
    except BaseException as err:
        try:
            os.remove(tmp)
        except OSError:
            pass
        if isinstance(err, StateError):
            raise
        raise StateError(f"cannot save the emulator state to {path}: {type(err).__name__}: {err}") from err
    return os.path.getsize(path)


def _write_state(tmp, version, platform, backend_lock):
    # The state holds the KMS keys: readable by the owner only.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with backend_lock, _DYNAMODB_LOCK, _SPEND_LOCK, os.fdopen(fd, "wb") as out:
        out.write(_state_header(version).encode("utf-8") + b"\n")
        payload = {
            "backends": [(home, dict(bd)) for home, bd in _live_backend_dicts()],
            "spend": _SPEND,
            "platform": platform,
        }
        _state_pickler(out).dump(payload)
        out.flush()
        os.fsync(out.fileno())


def read_state_header(path):
    with open(path, "rb") as inp:
        line = inp.readline(4096)
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != STATE_FORMAT:
        raise StateError(
            f"{path} is not an emulator state of format {STATE_FORMAT} (written by another version?); "
            "remove the state directory to start fresh"
        )
    return header


def load_state(path, version):
    """Puts a saved state back into the (empty) backends and returns the
    platform's record."""
    from moto.core.base_backend import BackendDict, backend_lock

    header = read_state_header(path)
    if header.get("moto") != version:
        raise StateError(f"{path} was saved by moto {header.get('moto')}, this is moto {version}; remove it to start fresh")
    try:
        with open(path, "rb") as inp:
            inp.readline(4096)
            payload = _state_unpickler(inp).load()
    except Exception as err:
        raise StateError(f"cannot read the emulator state {path}: {type(err).__name__}: {err}") from err
    import importlib

    with backend_lock:
        for (module, attr), accounts in payload["backends"]:
            bd = getattr(importlib.import_module(module), attr)
            bd.clear()
            dict.update(bd, accounts)
            if not any(b is bd for b in BackendDict._instances):
                BackendDict._instances.append(bd)
    with _SPEND_LOCK:
        _SPEND.clear()
        _SPEND.update(payload.get("spend") or {})
    _stop_saved_executions()
    platform = payload.get("platform")
    return {} if platform is None else platform


def _stop_saved_executions():
    """An execution that was running when the state was saved has no worker
    any more: it is marked ABORTED, as if stopped, so that a caller waiting
    on it (the cleanup watchdog) sees it ended."""
    if "moto.stepfunctions.parser.models" not in sys.modules:
        return  # the state has no executions (importing the interpreter takes seconds)
    try:
        from moto.stepfunctions.parser.api import ExecutionStatus
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends
    except ImportError:
        return
    now = datetime.datetime.now(datetime.timezone.utc)
    for account in list(stepfunctions_parser_backends.values()):
        for backend in list(account.values()):
            for machine in list(getattr(backend, "state_machines", [])):
                for execution in list(getattr(machine, "executions", [])):
                    if getattr(execution, "exec_status", None) != ExecutionStatus.RUNNING:
                        continue
                    execution.exec_status = ExecutionStatus.ABORTED
                    execution.stop_date = now


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_args(argv):
    parser = argparse.ArgumentParser(description="isb-go moto server launcher")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument(
        "--managed",
        action="store_true",
        help="ignore SIGINT: the parent process stops the launcher with SIGTERM (after saving its state)",
    )
    parser.add_argument("--state", help="state file: loaded at start when it exists, written by POST /_local/state")
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f"--host {args.host} is not a loopback address; the emulator must not be reachable from outside")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is out of range")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.INFO if args.verbose else logging.WARNING)

    prepare_environment()
    version = import_moto()
    enable_interpreters()
    patch_sfn_state_machine_copy()
    patch_events_delivery()
    patch_sfn_sdk_service_names()
    patch_iam_managed_policy_cache()
    patch_dynamodb_atomicity()
    patch_sfn_context_times()
    patch_codebuild_times()
    patch_dynamodb_read_key_sizes()
    patch_ce_spend_ledger()

    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    restored = None
    if args.state and os.path.exists(args.state):
        try:
            restored = load_state(args.state, version)
        except StateError as err:
            sys.stderr.write(f"moto_launcher: {err}\n")
            return 4
    app = LocalRoutes(DomainDispatcherApplication(create_backend_app), version, args.state, restored)
    try:
        server = make_server(args.host, args.port, app, threaded=True)
    except OSError as err:
        sys.stderr.write(f"moto_launcher: cannot listen on {args.host}:{args.port}: {err}\n")
        return 1
    port = server.socket.getsockname()[1]
    # The Step Functions interpreter calls back into this server at
    # localhost:$MOTO_PORT, so this must be the real port, set before any request.
    os.environ["MOTO_PORT"] = str(port)

    def stop(signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    # Ctrl-C at a terminal reaches the whole process group; a managed
    # launcher leaves it to its parent, which may still save the state.
    signal.signal(signal.SIGINT, signal.SIG_IGN if args.managed else stop)

    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"READY http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()
        sys.stderr.flush()
    # Execution threads blocked in .waitForTaskToken must not keep us alive.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
