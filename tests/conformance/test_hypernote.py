"""jupyter_kernel_test against the installed hypernote kernelspec.

Run by .ci/conformance.sh (not by npm test): /usr/bin/python3 -m unittest -v test_hypernote
Samples cover every test jupyter_kernel_test 0.4.5 offers.
"""
import unittest

import jupyter_kernel_test


class HypernoteKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "hypernote"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("some error")'

    completion_samples = [
        {"text": "Mat", "matches": {"Math"}},
        {"text": "const abcdef = 1; abcd", "matches": {"abcdef"}},
    ]

    complete_code_samples = ["1 + 1", "const x = 1;", "function f() { return 1; }", "if (true) {}\n\n"]
    incomplete_code_samples = ["function f() {", "const o = {", "if (true) {\n  1"]
    invalid_code_samples = ["const = = 1;", "1 +* 2;", "}"]

    code_page_something = 'page("some help text")'

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "1 + 2 + 3", "result": "6"},
        {"code": '"abc".toUpperCase()', "result": "'ABC'"},
        {"code": "[1, 2].map((x) => x * 2)", "result": "[ 2, 4 ]"},
    ]

    code_display_data = [
        {"code": 'display.html("<b>bold</b>")', "mime": "text/html"},
        {"code": 'display.markdown("# title")', "mime": "text/markdown"},
        {"code": "display.svg('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')", "mime": "image/svg+xml"},
        {"code": "display.json({ a: 1 })", "mime": "application/json"},
    ]

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "1 + 2*"

    code_inspect_sample = "Math"

    code_clear_output = "clearOutput()"


if __name__ == "__main__":
    unittest.main()
