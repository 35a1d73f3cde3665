"""Module extension for bzlmod users: the same host toolchains `rvr_register_toolchains()` makes.

    rvr = use_extension("@rules_rvr//rules:extensions.bzl", "rvr")
    use_repo(rvr, "rvr_toolchains")   # only to refer to the tools directly

rules_rvr's own MODULE.bazel already registers `@rvr_toolchains//:all`.
"""

load(":repositories.bzl", "rvr_host_toolchains")

def _rvr_impl(module_ctx):
    # One host, one set of tools: every module that uses the extension shares the repository.
    rvr_host_toolchains(name = "rvr_toolchains")

rvr = module_extension(
    implementation = _rvr_impl,
    doc = "Locates node, the host C compiler and the RISC-V cross compiler (repository `rvr_toolchains`).",
)
