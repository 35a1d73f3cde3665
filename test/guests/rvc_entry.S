/* rvc_entry: jumps into the middle of 4-byte instructions, which the hardware (IALIGN = 16)
 * runs as whatever decodes there. `.option rvc` makes this a compressed program on every ISA
 * (the assembler sets EF_RISCV_RVC). Sequentially both words are no-ops; entered at +2,
 *  - word A's upper half is `c.li a0, 5` (0x4515),
 *  - word B's upper half starts a 4-byte `li a0, 7` that ends in word C's lower half, after
 *    which the stream is in step again (word C's upper half is c.nop).
 * Exit code: sequential a0 (1) + 10 * the first entry (5) + 100 * the second (7) = 751 & 0xff = 239,
 * and the counts of each path through a jump table of odd-halfword targets. */
    .option rvc
    .text
    .globl main
    .type main, @function
main:
    mv s3, ra             /* the calls below use ra */
    li a0, 1
    la t0, word_a
    jalr ra, 0(t0)        /* sequential: a0 stays 1 */
    mv s0, a0
    la t0, word_a
    addi t0, t0, 2
    jalr ra, 0(t0)        /* middle of word A: c.li a0, 5 */
    li t1, 10
    mul t1, t1, a0
    add s0, s0, t1
    la t0, word_b
    addi t0, t0, 3        /* jalr clears bit 0: the target is word_b + 2 */
    jalr ra, 0(t0)        /* middle of word B: li a0, 7 across words B and C */
    li t1, 100
    mul t1, t1, a0
    add s0, s0, t1
    /* a loop through a table of entries, some in the middle of instructions */
    li s1, 0              /* iteration */
    li s2, 0              /* sum */
1:
    andi t2, s1, 3
    la t3, entries
    slli t2, t2, 2
    add t3, t3, t2
    lw t3, 0(t3)
    li a0, 1
    jalr ra, 0(t3)
    add s2, s2, a0
    addi s1, s1, 1
    li t2, 1000
    bne s1, t2, 1b
    /* 250 * (1 + 5 + 7 + 1) = 3500 */
    li t2, 3500
    beq s2, t2, 2f
    li a0, 1
    mv ra, s3
    ret
2:
    mv a0, s0
    mv ra, s3
    ret
    .size main, . - main

    .type word_a, @function
word_a:
    .word 0x45150013      /* addi zero, a0, 1105 (a hint) | upper half: c.li a0, 5 */
    ret
    .type word_b, @function
word_b:
    .word 0x05130013      /* addi zero, t1, 81 | upper half: low half of li a0, 7 */
    .word 0x00010070      /* c.addi4spn a2, sp, 12 ; c.nop | lower half ends li a0, 7 */
    ret
    .size word_b, . - word_b

    .section .rodata
    .balign 4
entries:
    .word word_a, word_a + 2, word_b + 2, word_b
