; ---------------------------------------------------------------- INT 21h
int21:
        push es
        push ds
        push bp
        push di
        push si
        push dx
        push cx
        push bx
        push ax
        cld
        mov bp, cs
        mov ds, bp
        mov [user_sp], sp
        mov [user_ss], ss
        mov es, bp
        push ss
        pop ds
        mov si, sp
        mov di, regs
        mov cx, 12
        rep movsw
        mov ds, bp
        mov ss, bp
        mov sp, kstack_top
        mov bx, [cur_psp]       ; DOS keeps the caller's SS:SP at PSP:2Eh
        test bx, bx
        jz .nopsp
        mov es, bx
        mov bx, [user_sp]
        mov [es:2Eh], bx
        mov bx, [user_ss]
        mov [es:30h], bx
        push ds
        pop es
.nopsp: mov cx, [r_cx]
        mov si, [r_si]
        mov di, [r_di]
        movzx bx, ah
        cmp bx, 6Ch
        ja .bad
        shl bx, 1
        mov bx, [fn_table+bx]
        mov [fn_ptr], bx
        mov bx, [r_bx]
        call [fn_ptr]
        jmp short .done
.bad:   mov ax, 1
        stc
.done:
        jnc ret_ok
ret_err:
        mov [r_ax], ax
        mov [last_err], ax
        or byte [r_fl], 1
        jmp int21_exit
ret_ok:
        and byte [r_fl], 0FEh
int21_exit:
        cli
        mov ss, [user_ss]
        mov sp, [user_sp]
        push ss
        pop es
        mov di, sp
        mov si, regs
        mov cx, 12
        cld
        rep movsw
        pop ax
        pop bx
        pop cx
        pop dx
        pop si
        pop di
        pop bp
        pop ds
        pop es
        iret

; load the caller's DS:DX into ES:DI / DS-based helpers
fn_ptr  dw 0
get_dsdx:                       ; -> es:di = caller ds:dx
        mov es, [r_ds]
        mov di, [r_dx]
        ret

%define FN dw
fn_table:
        FN f_term0              ; 00
        FN f_01, f_02, f_03, f_04, f_05, f_06, f_07
        FN f_08, f_09, f_0a, f_0b, f_0c, f_0d, f_0e, f_none
        FN f_none, f_none, f_none, f_none, f_none, f_none, f_none, f_none ; 10
        FN f_none, f_19, f_1a, f_none, f_none, f_nop0, f_nop0, f_none
        FN f_nop0, f_nop0, f_none, f_none, f_none, f_25, f_none, f_none ; 20
        FN f_none, f_29, f_2a, f_2b, f_2c, f_2d, f_2e, f_2f
        FN f_30, f_31, f_none, f_33, f_none, f_35, f_36, f_37 ; 30
        FN f_none, f_39, f_3a, f_3b, f_3c, f_3d, f_3e, f_3f
        FN f_40, f_41, f_42, f_43, f_44, f_45, f_46, f_47 ; 40
        FN f_48, f_49, f_4a, f_4b, f_4c, f_4d, f_4e, f_4f
        FN f_50, f_51, f_52, f_none, f_54, f_none, f_56, f_57 ; 50
        FN f_58, f_59, f_none, f_5b, f_none, f_none, f_none, f_none
        FN f_none, f_none, f_62, f_none, f_none, f_none, f_66, f_67 ; 60
        FN f_68, f_none, f_68, f_none, f_none

; any function not implemented: error 1, invalid function
f_none: mov ax, 1
        stc
        ret
; 1Dh 1Eh 20h CP/M compatibility no-ops: AL = 0
f_nop0: mov byte [r_ax], 0
        clc
        ret
