"""The `march` build setting: the host CPU level generated C is compiled for."""

load("//rules:providers.bzl", "RvrMarchInfo")

def _rvr_march_flag_impl(ctx):
    value = ctx.build_setting_value
    if not value or "native" in value:
        fail("--%s=%s is not allowed: choose an explicit CPU level such as x86-64-v2 or armv8-a " % (ctx.label, value) +
             "(a native CPU level would poison shared caches across machines)")
    for c in value.elems():
        if not (c.isalnum() or c in "-_.+"):
            fail("--%s=%s: not a CPU level name" % (ctx.label, value))
    return [RvrMarchInfo(march = value)]

rvr_march_flag = rule(
    implementation = _rvr_march_flag_impl,
    doc = "A string build setting holding an explicit `-march` level; rejects `native`.",
    build_setting = config.string(flag = True),
)
