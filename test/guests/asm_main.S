/* asm_main: a guest whose main is written in assembly: it writes a message with a raw write
 * ecall, sums 1..100 in a loop, prints the result digit by digit from a stack buffer and
 * returns 5050 & 0xff = 186 as the exit code. Works on RV32 and RV64 (word ops only). */
    .section .rodata
msg:
    .ascii "hello from assembly\nsum 1..100 = "
    .set msg_len, . - msg

    .text
    .globl main
    .type main, @function
main:
    addi sp, sp, -32
    /* write(1, msg, msg_len) */
    li a0, 1
    la a1, msg
    li a2, msg_len
    li a7, 64
    ecall
    /* s = sum 1..100 */
    li t0, 0
    li t1, 1
    li t2, 101
1:
    add t0, t0, t1
    addi t1, t1, 1
    bne t1, t2, 1b
    mv t6, t0
    /* digits into sp+0..15, backwards, newline at the end */
    addi t3, sp, 16
    li t4, 10
    addi t3, t3, -1
    sb t4, 0(t3)
2:
    remu t5, t0, t4
    addi t5, t5, 48
    addi t3, t3, -1
    sb t5, 0(t3)
    divu t0, t0, t4
    bnez t0, 2b
    li a0, 1
    mv a1, t3
    addi a2, sp, 16
    sub a2, a2, t3
    li a7, 64
    ecall
    andi a0, t6, 255
    addi sp, sp, 32
    ret
    .size main, . - main
