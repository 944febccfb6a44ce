from palier.web.tests.conftest import shoot  # noqa: F401 (the screenshot fixture)
