; batch_read: next line of the batch file into line+2 (asciiz); CF at end
batch_read:
        mov ax, 3D00h
        mov dx, bat_name
        int 21h
        jc .missing
        mov bx, ax
        mov dx, [bat_pos]
        mov cx, [bat_pos+2]
        mov ax, 4200h
        int 21h
        mov ah, 3Fh
        mov cx, 256             ; line and line2: a long line's end is found
        mov dx, line+2
        int 21h
        push ax
        mov ah, 3Eh
        int 21h
        pop cx
        jcxz .end
        mov si, line+2
        xor bx, bx
.f:     cmp bx, cx
        je .eol
        mov al, [si+bx]
        cmp al, 1Ah
        je .eof
        cmp al, 13
        je .eol
        cmp al, 10
        je .eol
        inc bx
        jmp .f
.eof:   mov byte [in_batch], 0
        test bx, bx
        jz .end
.eol:   mov dl, 0
        cmp bx, cx
        je .z
        mov dl, [si+bx]
.z:     mov byte [si+bx], 0
        mov ax, bx
        cmp bx, cx
        je .adv
        inc ax
        cmp dl, 13
        jne .adv
        cmp ax, cx
        je .adv
        cmp byte [si+bx+1], 10
        jne .adv
        inc ax
.adv:   movzx eax, ax
        add [bat_pos], eax
        mov byte [line+2+127], 0 ; DOS keeps 127 characters of a line
        clc
        ret
.missing:
        mov si, msg_bmiss
        call puts
.end:   mov byte [in_batch], 0
        call bat_pop            ; a CALLed batch returns to its caller
        stc
        ret

; the state of a batch file, saved by CALL: bat_pos, bat_name, bat_args
; (contiguous), echo_on, shift_n
BFRAME  equ 4 + 80 + 130 + 2
MAXCALL equ 4
bat_push:
        cmp byte [call_depth], MAXCALL
        jae .full
        movzx di, byte [call_depth]
        imul di, BFRAME
        add di, call_stack
        mov si, bat_pos
        mov cx, 4 + 80 + 130
        rep movsb
        mov al, [echo_on]
        stosb
        mov al, [shift_n]
        stosb
        inc byte [call_depth]
        clc
        ret
.full:  stc
        ret
bat_pop:
        cmp byte [call_depth], 0
        je .r
        dec byte [call_depth]
        movzx si, byte [call_depth]
        imul si, BFRAME
        add si, call_stack
        mov di, bat_pos
        mov cx, 4 + 80 + 130
        rep movsb
        lodsb
        mov [echo_on], al
        lodsb
        mov [shift_n], al
        mov byte [in_batch], 1
.r:     ret
call_depth db 0
calling db 0

; CALL batch [args]: run another batch file and come back
c_call: mov si, [args]
        call skipsp
        mov byte [calling], 1
        mov di, line2
        call strcpy
        mov si, line2
        mov byte [noexp], 1
        call do_line
        mov byte [noexp], 0
        mov byte [calling], 0
        ret
