; ---------------------------------------------------------------- BSS
        align 16
bss_start:
drives  equ bss_start
sft     equ drives + MAXDRV*D_SIZE
cache_hdr equ sft + NSFT*F_SSIZE
bounce  equ cache_hdr + NBUF*6
cache_data equ bounce + 512
kstack  equ cache_data + NBUF*512
kstack_top equ kstack + 1024
trkbuf  equ kstack_top
bss_end equ trkbuf + TRKMAX*512
