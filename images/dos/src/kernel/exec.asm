; ---------------------------------------------------------------- EXEC
ex_hdr  times 1Ch db 0
ex_sft  dw 0
ex_env  dw 0
ex_psp  dw 0
ex_size dw 0            ; paragraphs of the program block
ex_path times 80 db 0
ex_pb   times 14 db 0   ; copy of the parameter block
ex_cs   dw 0
ex_ip   dw 0
ex_ss   dw 0
ex_sp   dw 0
ex_img  dd 0
ex_rel  times 256 db 0

; read cx bytes from the exec file into es:di (kernel-side read)
ex_read:
        push bx
        mov bx, [ex_sft]
        mov [r_cx], cx
        mov [r_dx], di
        mov [r_ds], es
        call file_read
        mov ax, [r_ax]
        pop bx
        ret

ex_seek:                        ; eax = absolute position
        push bx
        mov bx, [ex_sft]
        mov [bx+F_POS], eax
        pop bx
        ret

; 4Bh EXEC: load and/or execute program
f_4b:   cmp al, 3
        je exec_overlay
        mov [ex_mode], al
        cmp al, 1
        ja .inv
        ; copy the parameter block and the path
        push ds
        mov si, [r_bx]
        mov ds, [r_es]
        push cs
        pop es
        mov di, ex_pb
        mov cx, 14
        rep movsb
        pop ds
        call ex_open
        jc .r
        ; full path for the environment
        mov di, ex_path
        push es
        push cs
        pop es
        mov al, [res_drvi]
        add al, 'A'
        stosb
        mov al, ':'
        stosb
        mov al, '\'
        stosb
        mov si, newcwd
.pc:    lodsb
        test al, al
        jz .pcd
        stosb
        jmp .pc
.pcd:   cmp di, ex_path+3
        je .pn
        mov al, '\'
        stosb
.pn:    mov si, fcbname
        call fcb_name_es
        mov byte [es:di], 0
        pop es
        ; save registers of the frame that exec_go clobbers
        mov eax, [r_ax]
        mov [ex_saveregs], eax
        mov eax, [r_cx]
        mov [ex_saveregs+4], eax
        mov ax, [r_ds]
        mov [ex_saveregs+8], ax
        call exec_load
        pushf
        push ax
        mov eax, [ex_saveregs]
        mov [r_ax], eax
        mov eax, [ex_saveregs+4]
        mov [r_cx], eax
        mov ax, [ex_saveregs+8]
        mov [r_ds], ax
        pop ax
        popf
        jc .fail
        cmp byte [ex_mode], 1
        je exec_nogo
        jmp exec_go
.r:     ret
.inv:   mov ax, 1
        stc
        ret
.fail:  push ax
        mov bx, [ex_sft]
        call sft_close
        pop ax
        stc
        ret
ex_saveregs times 10 db 0

; ex_open: open the caller's DS:DX for EXEC -> [ex_sft]; a device gives error 2
ex_open:
        call get_dsdx
        mov al, 0
        call open_sft
        jc .r
        cmp byte [bx+F_DRV], 0FFh
        je .dev
        mov [ex_sft], bx
        clc
.r:     ret
.dev:   mov byte [bx+F_REF], 0
        mov ax, 2
        stc
        ret

; ex_rdhdr: the first 1Ch bytes of the file into ex_hdr -> ZF=1 for an MZ .EXE
ex_rdhdr:
        push cs
        pop es
        mov di, ex_hdr
        mov cx, 1Ch
        call ex_read
        cmp ax, 2
        jb .r                   ; ZF=0: too short for a signature
        mov ax, [ex_hdr]
        cmp ax, 'MZ'
        je .r
        cmp ax, 'ZM'
.r:     ret

; exe_imgsize: ex_hdr -> eax = load image bytes (pages * 512 - header),
; ecx = header bytes; CF when the header leaves no image
exe_imgsize:
        movzx eax, word [ex_hdr+4]
        shl eax, 9
        movzx ecx, word [ex_hdr+2]
        test cx, cx
        jz .e1
        sub eax, 512
        add eax, ecx
.e1:    movzx ecx, word [ex_hdr+8]
        shl ecx, 4
        sub eax, ecx
        ja .r                   ; CF=0
        stc
.r:     ret

; ex_readimg: [ex_img] bytes from the file position to [ex_load]:0 on, 32 KiB a read
ex_readimg:
        mov ecx, [ex_img]
        jecxz .r
        cmp ecx, 8000h
        jbe .r1
        mov ecx, 8000h
.r1:    sub [ex_img], ecx
        mov es, [ex_load]
        xor di, di
        push cx
        call ex_read
        pop cx
        add word [ex_load], 800h
        jmp ex_readimg
.r:     ret

; ex_reloc: apply the EXE relocation table: the word at ([ex_rbase] + seg):off
; gets [ex_rfac] added.  CF when the table is cut short.
ex_reloc:
        movzx eax, word [ex_hdr+18h]
        call ex_seek
        mov dx, [ex_hdr+6]      ; count
.rl:    test dx, dx
        jz .r                   ; CF=0
        mov cx, dx
        cmp cx, 64
        jbe .r2
        mov cx, 64
.r2:    sub dx, cx
        push dx
        push cx
        shl cx, 2
        push cs
        pop es
        mov di, ex_rel
        push cx
        call ex_read
        pop cx
        cmp ax, cx
        pop cx
        pop dx
        jne .bad
        mov si, ex_rel
.rp:    mov ax, [si+2]
        add ax, [ex_rbase]
        mov es, ax
        mov di, [si]
        mov ax, [ex_rfac]
        add [es:di], ax
        add si, 4
        loop .rp
        jmp .rl
.bad:   stc
.r:     ret
ex_rbase dw 0
ex_rfac  dw 0
ex_isexe db 0

; EXEC AL=3: load an overlay (ES:BX -> load segment, relocation factor);
; no PSP, no environment, nothing runs
exec_overlay:
        push ds
        mov si, [r_bx]
        mov ds, [r_es]
        lodsw
        mov [cs:ex_rbase], ax
        lodsw
        mov [cs:ex_rfac], ax
        pop ds
        call ex_open
        jc .r
        push dword [r_ax]
        push dword [r_cx]
        push word [r_ds]
        call ex_rdhdr
        setz [ex_isexe]
        mov bx, [ex_sft]
        mov eax, [bx+F_SIZE]    ; not an .EXE: the whole file is the image
        xor ecx, ecx
        cmp byte [ex_isexe], 0
        je .img
        call exe_imgsize
        jc .bad
.img:   mov [ex_img], eax
        mov eax, ecx
        call ex_seek
        mov ax, [ex_rbase]
        mov [ex_load], ax
        call ex_readimg
        cmp byte [ex_isexe], 0
        je .done
        call ex_reloc
        jc .bad
.done:  clc
.out:   pushf
        push ax
        mov bx, [ex_sft]
        call sft_close
        pop ax
        popf
        pop word [r_ds]
        pop dword [r_cx]
        pop dword [r_ax]
.r:     ret
.bad:   mov ax, 0Bh
        stc
        jmp .out

; exec_load: build environment, PSP and image.  CF ax = error
exec_load:
        call ex_rdhdr
        setz [ex_isexe]
        ; environment
        mov ax, [ex_pb]
        test ax, ax
        jnz .envs
        mov ax, [cur_psp]
        test ax, ax
        jz .envk
        mov es, ax
        mov ax, [es:2Ch]
        jmp short .envs
.envk:  mov ax, [kernel_env]
.envs:  mov [ex_srcenv], ax
        mov es, ax
        xor di, di
.el:    cmp word [es:di], 0
        je .ee
        inc di
        cmp di, 7F00h
        jb .el
.ee:    add di, 2               ; past the double 0
        mov [ex_envlen], di
        add di, 2+80+15
        shr di, 4
        mov bx, di
        call mem_alloc
        jc .r
        mov [ex_env], ax
        ; copy it
        push ds
        mov es, ax
        mov cx, [ex_envlen]
        mov ds, [ex_srcenv]
        xor si, si
        xor di, di
        rep movsb
        pop ds
        mov ax, 1
        stosw
        mov si, ex_path
.cp:    lodsb
        stosb
        test al, al
        jnz .cp
        ; program block: the largest free block
        mov bx, 0FFFFh
        call mem_alloc
        cmp ax, 8
        jne .nomem
        cmp bx, 20h
        jb .nomem
        push bx
        call mem_alloc
        pop bx
        jc .nomem
        mov [ex_psp], ax
        mov [ex_size], bx
        ; owner of the environment and the block = the new PSP
        push ax
        dec ax
        mov es, ax
        pop ax
        mov [es:1], ax
        ; program name in the MCB
        mov di, 8
        mov si, fcbname
        mov cx, 8
        rep movsb
        mov bx, [ex_env]
        dec bx
        mov es, bx
        mov [es:1], ax
        call build_psp
        cmp byte [ex_isexe], 0
        jne .exe
.com:   ; .COM: the whole file at PSP:100h
        mov bx, [ex_sft]
        mov eax, [bx+F_SIZE]
        movzx ecx, word [ex_size]
        shl ecx, 4
        sub ecx, 100h+2
        cmp ecx, 0FF00h
        jbe .c1
        mov ecx, 0FF00h
.c1:    cmp eax, ecx
        ja .nomemf
        xor eax, eax
        call ex_seek
        mov es, [ex_psp]
        mov di, 100h
        mov cx, 0FF00h
        call ex_read
        mov ax, [ex_psp]
        mov [ex_cs], ax
        mov [ex_ss], ax
        mov word [ex_ip], 100h
        movzx eax, word [ex_size]
        shl eax, 4
        cmp eax, 10000h
        jb .c2
        mov eax, 10000h
.c2:    sub ax, 2
        mov [ex_sp], ax
        mov es, [ex_psp]
        mov di, ax
        mov word [es:di], 0
        clc
        ret
.exe:   call exe_imgsize
        jc .bad
        mov [ex_img], eax
        mov ebx, eax
        add ebx, 15
        shr ebx, 4
        add bx, 10h
        jc .nomemf
        add bx, [ex_hdr+0Ah]    ; minimum extra paragraphs
        jc .nomemf
        cmp bx, [ex_size]
        ja .nomemf
        ; the file must hold the header and the image
        mov bx, [ex_sft]
        mov edx, [bx+F_SIZE]
        cmp edx, ecx
        jb .bad
        mov eax, ecx
        call ex_seek
        mov ax, [ex_psp]
        add ax, 10h
        mov [ex_load], ax
        call ex_readimg
        ; relocations: segments are relative to the image's first paragraph
        mov ax, [ex_psp]
        add ax, 10h
        mov [ex_rbase], ax
        mov [ex_rfac], ax
        call ex_reloc
        jc .bad
        mov ax, [ex_rbase]
        mov bx, [ex_hdr+0Eh]
        add bx, ax
        mov [ex_ss], bx
        mov bx, [ex_hdr+10h]
        mov [ex_sp], bx
        mov bx, [ex_hdr+16h]
        add bx, ax
        mov [ex_cs], bx
        mov bx, [ex_hdr+14h]
        mov [ex_ip], bx
        clc
        ret
.bad:   call ex_undo
        mov ax, 0Bh
        stc
        ret
.nomemf:
        call ex_undo
.nomem: mov ax, [ex_env]
        mov es, ax
        call mcb_check
        mov word [es:1], 0
        mov ax, 8
        stc
.r:     ret
ex_envlen dw 0
ex_srcenv dw 0
ex_load dw 0
kernel_env dw 0

ex_undo:                        ; free the program block and environment
        mov es, [ex_psp]
        call mcb_check
        mov word [es:1], 0
        mov es, [ex_env]
        call mcb_check
        mov word [es:1], 0
        ret

; build_psp at ex_psp
build_psp:
        mov es, [ex_psp]
        xor di, di
        mov cx, 128
        xor ax, ax
        rep stosw
        mov word [es:0], 20CDh
        mov ax, [ex_psp]
        add ax, [ex_size]
        mov [es:2], ax
        mov byte [es:5], 0C3h
        ; terminate address = the caller's return address
        mov ax, [r_ip]
        mov [es:0Ah], ax
        mov ax, [r_cs]
        mov [es:0Ch], ax
        push ds
        xor ax, ax
        mov ds, ax
        mov eax, [23h*4]
        mov [es:0Eh], eax
        mov eax, [24h*4]
        mov [es:12h], eax
        pop ds
        mov ax, [cur_psp]
        test ax, ax
        jnz .p
        mov ax, [ex_psp]        ; the first shell is its own parent
.p:     mov [es:16h], ax
        mov ax, [ex_env]
        mov [es:2Ch], ax
        mov word [es:32h], 20
        mov word [es:34h], 18h
        mov ax, [ex_psp]
        mov [es:36h], ax
        mov word [es:50h], 21CDh
        mov byte [es:52h], 0CBh
        ; handles: inherit the parent's (not those opened "no inherit")
        mov di, 18h
        mov cx, 20
        mov al, 0FFh
        rep stosb
        mov cx, [cur_psp]
        jcxz .std
        push ds
        mov ds, cx
        lds si, [34h]
        mov di, 18h
        mov cx, 20
.h:     lodsb
        cmp al, NSFT
        jae .hn
        push ds
        push ax
        mov bx, cs
        mov ds, bx
        movzx bx, al
        imul bx, F_SSIZE
        add bx, sft
        test byte [bx+F_MODE], 80h
        jnz .hx
        cmp byte [bx+F_REF], 0
        je .hx
        inc byte [bx+F_REF]
        pop ax
        pop ds
        jmp short .hs
.hx:    pop ax
        pop ds
        mov al, 0FFh
.hs:    mov [es:di], al
.hn:    inc di
        loop .h
        pop ds
        jmp short .fcb
.std:   mov dword [es:18h], 01000000h ; 0,1,2 -> CON, 3 -> AUX, 4 -> PRN
        mov byte [es:1Ch], 2
        add byte [sft+F_REF], 3
        inc byte [sft+F_SSIZE+F_REF]
        inc byte [sft+2*F_SSIZE+F_REF]
.fcb:   ; FCBs and tail from the parameter block
        mov cx, 16
        mov di, 5Ch
        lds si, [cs:ex_pb+6]
        call .cpfcb
        mov cx, 20
        mov di, 6Ch
        lds si, [cs:ex_pb+10]
        call .cpfcb
        push cs
        pop ds
        mov di, 80h
        push ds
        lds si, [cs:ex_pb+2]
        mov ax, ds
        test ax, ax
        jz .notail
        movzx cx, byte [si]
        cmp cx, 126
        jbe .t1
        mov cx, 126
.t1:    mov [es:80h], cl
        inc si
        mov di, 81h
        rep movsb
        mov byte [es:di], 0Dh
        jmp short .td
.notail:
        mov word [es:80h], 0D00h
.td:    pop ds
        ret
.cpfcb: mov ax, ds
        test ax, ax
        jz .fb
        rep movsb
        push cs
        pop ds
        ret
.fb:    push cs
        pop ds
        mov byte [es:di], 0
        inc di
        dec cx
        mov al, ' '
        push cx
        mov cx, 11
        rep stosb
        pop cx
        sub cx, 11
        xor al, al
        rep stosb
        ret

; ex_switch: close the file, save the parent's SS:SP in its PSP and make the
; child's PSP current (DTA at PSP:80h) -> ax = child's PSP
ex_switch:
        mov bx, [ex_sft]
        call sft_close
        mov ax, [cur_psp]
        test ax, ax
        jz .nop
        mov es, ax
        mov ax, [user_sp]
        mov [es:2Eh], ax
        mov ax, [user_ss]
        mov [es:30h], ax
.nop:   mov ax, [ex_psp]
        mov [cur_psp], ax
        mov word [dta], 80h
        mov [dta+2], ax
        ret

; EXEC AL=1: loaded, not started.  The child's PSP becomes current and
; the caller's parameter block gets SS:SP (+0Eh) and CS:IP (+12h).
ex_mode db 0
exec_nogo:
        call ex_switch
        mov es, [r_es]
        mov di, [r_bx]
        mov ax, [ex_sp]
        mov [es:di+0Eh], ax
        mov ax, [ex_ss]
        mov [es:di+10h], ax
        mov ax, [ex_ip]
        mov [es:di+12h], ax
        mov ax, [ex_cs]
        mov [es:di+14h], ax
        clc
        ret

; exec_go: switch to the loaded program
exec_go:
        call ex_switch
        ; INT 22h = return address in the parent
        push ds
        xor bx, bx
        mov ds, bx
        mov es, ax
        mov ebx, [es:0Ah]
        mov [22h*4], ebx
        pop ds
        cli
        mov ss, [ex_ss]
        mov sp, [ex_sp]
        sti
        push word 0202h
        push word [ex_cs]
        push word [ex_ip]
        mov ds, ax
        mov es, ax
        xor ax, ax
        xor bx, bx
        mov cx, 0FFh
        mov dx, ds
        xor si, si
        xor di, di
        xor bp, bp
        iret
