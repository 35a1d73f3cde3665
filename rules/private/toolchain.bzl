"""The toolchain rule behind the host tools found by `rvr_host_toolchains`."""

load("//rules:providers.bzl", "RvrToolInfo")

NODE_TOOLCHAIN = "@rules_rvr//rules/toolchains:node"
CC_TOOLCHAIN = "@rules_rvr//rules/toolchains:cc"
RISCV_TOOLCHAIN = "@rules_rvr//rules/toolchains:riscv"

def _rvr_host_tool_impl(ctx):
    tool = RvrToolInfo(
        path = ctx.attr.path,
        tool = ctx.file.tool,
        version_file = ctx.file.version_file,
        files = depset([ctx.file.tool, ctx.file.version_file]),
    )
    return [platform_common.ToolchainInfo(rvr = tool)]

rvr_host_tool = rule(
    implementation = _rvr_host_tool_impl,
    doc = "One host tool (node, C compiler or RISC-V cross compiler) as a toolchain. " +
          "Written by the `rvr_host_toolchains` repository rule; not meant to be used directly.",
    attrs = {
        "path": attr.string(mandatory = True, doc = "Absolute path of the tool on the host."),
        "tool": attr.label(mandatory = True, allow_single_file = True, doc = "The tool binary (a link to `path`)."),
        "version_file": attr.label(mandatory = True, allow_single_file = True, doc = "The tool's `--version` output."),
    },
)

def tool_of(ctx, toolchain_type):
    """The RvrToolInfo of the resolved toolchain of `toolchain_type`."""
    return ctx.toolchains[toolchain_type].rvr
