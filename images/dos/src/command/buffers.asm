; ---------------------------------------------------------------- buffers
IOBUF_SIZE equ 4096
        align 2
prog_data:
line    equ prog_data           ; 0Ah buffer: 130
line2   equ line + 132
xline   equ line2 + 260
cmdword equ xline + 260
args    equ cmdword + 82
tmp     equ args + 2
tmp2    equ tmp + 132
fname   equ tmp2 + 132
fname2  equ fname + 132
canon1  equ fname2 + 132
canon2  equ canon1 + 132
pdir    equ canon2 + 132
cwdbuf  equ pdir + 132
dta     equ cwdbuf + 68
tail    equ dta + 128
fcb1    equ tail + 130
fcb2    equ fcb1 + 37
pblock  equ fcb2 + 37
call_stack equ pblock + 16
iobuf   equ call_stack + BFRAME*MAXCALL
stack_bottom equ iobuf + IOBUF_SIZE
stack_top equ stack_bottom + STACK_SIZE
prog_end equ stack_top
