; ---------------------------------------------------------------- other INTs
int20:  xor ax, ax
        jmp short int20_go
int20_go:
        mov ah, 4Ch
        int 21h
int22:  jmp int22
int23:  mov ax, 4C00h
        int 21h
int24:  mov al, 3
        iret
int27:  add dx, 15
        shr dx, 4
        mov ax, 3100h
        int 21h
int28:  iret
int29:  push ds
        push cs
        pop ds
        call con_out
        pop ds
        iret
int2f:  cmp ax, 4300h
        je .no
        cmp ax, 1600h
        je .no
        iret
.no:    mov al, 0
        iret
