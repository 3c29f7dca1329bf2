"""`make demo`'s stdout callback: what the roles tell the operator, and a record of every result.

ansible-core has no callback that both keeps a terminal short and hands a script the results, so
the demo brings this one. It prints the messages of debug tasks as they come (the roles' list of
sign-ins, the wait's progress, the compliance table) and one line per failed or unreachable
printer, and appends each task result as a JSON line to the file named by $DEMO_RECORD for
scripts/demo.py to summarise (the plan's diffs, the user codes).
"""

import json
import os

from ansible.plugins.callback import CallbackBase

DEBUG_ACTIONS = ("debug", "ansible.builtin.debug")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "demo_record"

    def __init__(self):
        super().__init__()
        self._record = open(os.environ["DEMO_RECORD"], "a", encoding="utf-8")

    def _write(self, status, result, ignored=False):
        line = {"host": result._host.get_name(), "task": result._task.get_name(),
                "action": result._task.action, "status": status, "ignored": ignored, "result": result._result}
        self._record.write(json.dumps(line, default=str) + "\n")
        self._record.flush()

    def v2_runner_on_ok(self, result):
        self._write("ok", result)
        message = result._result.get("msg")
        if result._task.action in DEBUG_ACTIONS and message:
            for line in message if isinstance(message, list) else str(message).splitlines():
                self._display.display(f"  {line}")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write("failed", result, ignore_errors)
        if not ignore_errors:
            self._display.display(f"  {result._host.get_name()}: failed: {result._result.get('msg', '')}")

    def v2_runner_on_unreachable(self, result):
        self._write("unreachable", result)
        self._display.display(f"  {result._host.get_name()}: unreachable: {result._result.get('msg', '')}")

    def v2_playbook_on_stats(self, stats):
        self._record.close()
