/*
 * Guest start-up code. The loader (rules_rvr or qemu-user) sets sp; qemu also puts argc/argv on
 * the stack, which is ignored. bss is already zero-filled by the loader.
 */
    .file "start.S"
    .section .text._start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    li a0, 0
    li a1, 0
    call main
    /* exit(main's return value) */
    li a7, 93
    ecall
1:
    li a7, 94
    ecall
    j 1b
    .size _start, . - _start
