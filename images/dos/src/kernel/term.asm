; ---------------------------------------------------------------- terminate
; 00h terminate program
f_term0:
        xor al, al
; 4Ch terminate with return code
f_4c:   mov ah, 0
        jmp short terminate
; 31h terminate and stay resident
f_31:   ; keep DX paragraphs
        push ax
        mov es, [cur_psp]
        mov ax, es
        dec ax
        mov es, ax
        mov bx, dx
        cmp bx, 6
        jae .k
        mov bx, 6
.k:     call mem_resize
        pop ax
        mov ah, 3
terminate:
        mov [ret_code], ax
        mov es, [cur_psp]
        mov bx, [es:16h]
        cmp bx, [cur_psp]
        je root_exit
        cmp byte [ret_code+1], 3
        je .keep
        ; close the handles
        mov cx, 20
        xor bx, bx
.cl:    push bx
        push cx
        call hsft
        jc .cn
        call sft_close
        mov bx, [esp+2]
        call jft_slot
        mov byte [es:di], 0FFh
.cn:    pop cx
        pop bx
        inc bx
        loop .cl
        mov ax, [cur_psp]
        call mem_free_owner
.keep:  mov es, [cur_psp]
        ; restore INT 22h-24h from the PSP
        push ds
        xor ax, ax
        mov ds, ax
        mov eax, [es:0Ah]
        mov [22h*4], eax
        mov eax, [es:0Eh]
        mov [23h*4], eax
        mov eax, [es:12h]
        mov [24h*4], eax
        pop ds
        mov ax, [es:16h]
        mov [cur_psp], ax
        mov es, ax
        mov word [dta], 80h
        mov [dta+2], ax
        mov ax, [es:2Eh]
        mov [user_sp], ax
        mov ax, [es:30h]
        mov [user_ss], ax
        ; reload the parent's frame and return from its EXEC
        push ds
        mov ds, [user_ss]
        mov si, [cs:user_sp]
        push cs
        pop es
        mov di, regs
        mov cx, 12
        rep movsw
        pop ds
        push ds
        xor ax, ax
        mov ds, ax
        mov eax, [22h*4]
        pop ds
        mov [r_ip], eax
        jmp ret_ok

root_exit:                      ; the first shell ended: start it again
        mov ax, [cur_psp]
        call mem_free_owner
        mov word [cur_psp], 0
        mov ss, [cs:kseg_w]
        mov sp, kstack_top
        jmp start_shell
kseg_w  dw KSEG

; 4Dh get return code
f_4d:   mov ax, [ret_code]
        mov [r_ax], ax
        mov word [ret_code], 0
        clc
        ret
