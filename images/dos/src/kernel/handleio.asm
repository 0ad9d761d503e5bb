; ---------------------------------------------------------------- handle I/O
; sft_clus: bx = SFT, si = drive, dx:ax... eax = cluster index wanted
;   -> ax = cluster (walks from the cached position), CF at end of chain
;   when [alloc_ok] is set, missing clusters are allocated
alloc_ok db 0
sft_clus:
        push cx
        push dx
        mov cx, ax              ; wanted index
        mov dx, [bx+F_CURIX]
        cmp dx, 0FFFFh
        je .start
        cmp dx, cx
        ja .start
        mov ax, [bx+F_CURCL]
        jmp short .walk
.start: mov ax, [bx+F_CLUS]
        xor dx, dx
        cmp ax, 2
        jae .walk
        cmp byte [alloc_ok], 0
        je .end
        call fat_alloc
        jc .end
        mov [bx+F_CLUS], ax
        or byte [bx+F_DIRTY], 1
.walk:  cmp dx, cx
        je .got
        mov [sc_prev], ax
        call fat_get
        jc .end
        cmp ax, 0FFF7h
        jb .nx
        cmp byte [alloc_ok], 0
        je .end
        call fat_alloc
        jc .end
        push dx
        mov dx, ax
        mov ax, [sc_prev]
        call fat_set
        mov ax, dx
        pop dx
.nx:    inc dx
        jmp .walk
.got:   mov [bx+F_CURCL], ax
        mov [bx+F_CURIX], dx
        pop dx
        pop cx
        clc
        ret
.end:   pop dx
        pop cx
        stc
        ret
sc_prev dw 0
sc_want dw 0

; 3Fh read from file or device
f_3f:   call hsft
        jc .r
        mov al, [bx+F_MODE]
        and al, 3
        cmp al, 1
        je .acc
        cmp byte [bx+F_DRV], 0FFh
        jne file_read
        mov al, [bx+F_DEV]
        cmp al, 1
        je con_read
        mov word [r_ax], 0
        clc
.r:     ret
.acc:   mov ax, 5
        stc
        ret

; cooked CON read: one line, ending CR LF
con_buf  times 132 db 0
con_left dw 0
con_ptr  dw 0
con_read:
        cmp word [con_left], 0
        jne .have
        push es
        push cs
        pop es
        mov di, con_buf
        mov byte [di], 128
        call read_line
        mov al, 0Ah
        call con_out
        movzx bx, byte [con_buf+1]
        mov byte [con_buf+bx+3], 0Ah
        add bx, 2
        mov [con_left], bx
        mov word [con_ptr], con_buf+2
        pop es
.have:  mov cx, [r_cx]
        cmp cx, [con_left]
        jbe .c
        mov cx, [con_left]
.c:     sub [con_left], cx
        mov [r_ax], cx
        mov es, [r_ds]
        mov di, [r_dx]
        mov si, [con_ptr]
        rep movsb
        mov [con_ptr], si
        clc
        ret

; file_read: bx = SFT, caller buffer ds:dx, count cx
rd_left dd 0
rd_done dw 0
rd_buf  dd 0
file_read:
        mov al, [bx+F_DRV]
        call drv_ptr
        jc .bad
        mov byte [alloc_ok], 0
        movzx ecx, word [r_cx]
        mov eax, [bx+F_SIZE]
        sub eax, [bx+F_POS]
        jbe .zero
        cmp ecx, eax
        jbe .c
        mov ecx, eax
.c:     mov word [rd_done], 0
        call rw_begin
.loop:  cmp dword [rd_left], 0
        je .fin
        ; cluster of the position
        mov eax, [bx+F_POS]
        shr eax, 9
        movzx ecx, byte [si+D_SPC]
        xor edx, edx
        div ecx                 ; eax = cluster index, dx = sector in cluster
        push dx
        call sft_clus
        pop dx
        jc .fin
        mov [rd_clus], ax
        call clus_lba
        movzx edx, dx
        add eax, edx            ; eax = sector
        mov cx, [bx+F_POS]
        and cx, 511
        jnz .part
        cmp dword [rd_left], 512
        jb .part
        ; whole sectors: gather a run of consecutive clusters
        push eax
        movzx cx, byte [si+D_SPC]
        sub cx, dx              ; sectors left in this cluster
        mov edx, [rd_left]
        shr edx, 9              ; sectors wanted
        cmp edx, 128
        jbe .w1
        mov edx, 128
.w1:
.run:   cmp cx, dx
        jae .runok
        mov ax, [rd_clus]
        push ax
        call fat_get
        pop di
        jc .runok
        inc di
        cmp ax, di
        jne .runok
        mov [rd_clus], ax
        inc word [bx+F_CURIX]
        mov [bx+F_CURCL], ax
        movzx di, byte [si+D_SPC]
        add cx, di
        jmp .run
.runok: cmp cx, dx
        jbe .rn
        mov cx, dx
.rn:    pop eax
        ; keep the caller's offset from wrapping inside one transfer
        push es
        push bx
        les bx, [rd_buf]
        mov byte [io_cmd], 2
        call disk_io
        pop bx
        pop es
        jc .ioerr
        movzx ecx, cx
        shl ecx, 9
        call rw_adv
        jmp .loop
.part:  ; partial sector through the cache
        call getsec_e
        jc .ioerr
        mov ax, [bx+F_POS]
        and ax, 511
        add di, ax
        mov cx, 512
        sub cx, ax
        movzx ecx, cx
        cmp ecx, [rd_left]
        jbe .p1
        mov ecx, [rd_left]
.p1:    push si
        push es
        mov si, di
        les di, [rd_buf]
        push cx
        rep movsb
        pop cx
        pop es
        pop si
        call rw_adv
        jmp .loop
.fin:   mov ax, [rd_done]
        mov [r_ax], ax
        clc
        ret
.zero:  mov word [r_ax], 0
        clc
        ret
.bad:   mov ax, 6
        stc
        ret
.ioerr: mov ax, 1Eh             ; read fault
        stc
        ret
rd_clus dw 0

; rw_begin: ecx = bytes to move, from or to the caller's DS:DX
rw_begin:
        mov [rd_left], ecx
        mov ax, [r_dx]
        mov [rd_buf], ax
        mov ax, [r_ds]
        mov [rd_buf+2], ax
        ret

; rw_adv: ecx bytes moved: advance the file position, the counts and the
; caller's buffer pointer (kept normalised, offset < 16)
rw_adv:
        add [bx+F_POS], ecx
        sub [rd_left], ecx
        add [rd_done], cx
        movzx eax, word [rd_buf]
        add eax, ecx
        mov edx, eax
        shr edx, 4
        and ax, 15
        mov [rd_buf], ax
        add [rd_buf+2], dx
        ret

; 40h write to file or device
f_40:   call hsft
        jc .r
        mov al, [bx+F_MODE]
        and al, 3
        jz .acc
        cmp byte [bx+F_DRV], 0FFh
        jne file_write
        mov [r_ax], cx
        cmp byte [bx+F_DEV], 4
        je .ok
        cmp byte [bx+F_DEV], 3
        je .ok
        call get_dsdx
        jcxz .ok
.l:     mov al, [es:di]
        call con_out
        inc di
        loop .l
.ok:    clc
.r:     ret
.acc:   mov ax, 5
        stc
        ret

file_write:
        mov al, [bx+F_DRV]
        call drv_ptr
        jc .bad
        or byte [bx+F_DIRTY], 3
        push bx
        call fat_stamp
        pop bx
        mov [bx+F_TIME], ax
        mov [bx+F_DATE], dx
        mov word [rd_done], 0
        test cx, cx
        jz .trunc
        mov byte [alloc_ok], 1
        movzx ecx, cx
        call rw_begin
.loop:  cmp dword [rd_left], 0
        je .fin
        mov eax, [bx+F_POS]
        shr eax, 9
        movzx ecx, byte [si+D_SPC]
        xor edx, edx
        div ecx
        push dx
        mov [sc_want], ax
        call sft_clus
        pop dx
        jc .fin                 ; disk full: short count
        call clus_lba
        movzx edx, dx
        add eax, edx
        mov cx, [bx+F_POS]
        and cx, 511
        jnz .part
        cmp dword [rd_left], 512
        jb .part
        ; whole sectors straight from the caller's buffer, to the end of
        ; this cluster at most
        movzx cx, byte [si+D_SPC]
        sub cx, dx
        push edx
        mov edx, [rd_left]
        shr edx, 9
        cmp cx, dx
        jbe .w1
        mov cx, dx
.w1:    pop edx
        call cache_forget
        push es
        push bx
        les bx, [rd_buf]
        mov byte [io_cmd], 3
        call disk_io
        pop bx
        pop es
        jc .ioerr
        movzx ecx, cx
        shl ecx, 9
        jmp .adv
.part:  call getsec_e
        jc .ioerr
        mov dx, [bx+F_POS]
        and dx, 511
        push di
        add di, dx
        mov cx, 512
        sub cx, dx
        movzx ecx, cx
        cmp ecx, [rd_left]
        jbe .p1
        mov ecx, [rd_left]
.p1:    push si
        push ds
        push es
        push cs
        pop es
        lds si, [rd_buf]
        push cx
        rep movsb
        pop cx
        pop es
        pop ds
        pop si
        pop di
        call putsec
        jc .ioerr
.adv:   call rw_adv
        mov eax, [bx+F_POS]
        cmp eax, [bx+F_SIZE]
        jbe .loop
        mov [bx+F_SIZE], eax
        jmp .loop
.fin:   mov byte [alloc_ok], 0
        mov ax, [rd_done]
        mov [r_ax], ax
        clc
        ret
.trunc: ; write of 0 bytes: the file ends at the position
        mov eax, [bx+F_POS]
        cmp eax, [bx+F_SIZE]
        jae .ext
        mov [bx+F_SIZE], eax
        mov word [bx+F_CURIX], 0FFFFh
        test eax, eax
        jnz .tr1
        mov ax, [bx+F_CLUS]
        call fat_free_chain
        mov word [bx+F_CLUS], 0
        jmp .fin
.tr1:   dec eax
        shr eax, 9
        movzx ecx, byte [si+D_SPC]
        xor edx, edx
        div ecx
        mov byte [alloc_ok], 0
        call sft_clus
        jc .fin
        push ax
        call fat_get
        mov cx, ax
        pop ax
        mov dx, 0FFFFh
        call fat_set
        mov ax, cx
        call fat_free_chain
        mov word [bx+F_CURIX], 0FFFFh
        jmp .fin
.ext:   ; extend to the position: allocate the clusters
        je .fin
        mov [bx+F_SIZE], eax
        dec eax
        shr eax, 9
        movzx ecx, byte [si+D_SPC]
        xor edx, edx
        div ecx
        mov byte [alloc_ok], 1
        call sft_clus
        jmp .fin
.bad:   mov ax, 6
        stc
        ret
.ioerr: mov byte [alloc_ok], 0
        mov ax, 1Dh
        stc
        ret

; 42h move file pointer (lseek)
f_42:   call hsft
        jc .r
        mov ax, [r_cx]
        shl eax, 16
        mov ax, [r_dx]
        mov cl, [r_ax]
        cmp cl, 0
        je .set
        cmp cl, 1
        jne .e
        add eax, [bx+F_POS]
        jmp short .set
.e:     cmp cl, 2
        jne .bad
        add eax, [bx+F_SIZE]
.set:   mov [bx+F_POS], eax
        mov [r_ax], ax
        shr eax, 16
        mov [r_dx], ax
        clc
.r:     ret
.bad:   mov ax, 1
        stc
        ret

; 57h get/set file date and time
f_57:   call hsft
        jc .r
        cmp byte [r_ax], 0
        jne .s
        mov ax, [bx+F_TIME]
        mov [r_cx], ax
        mov ax, [bx+F_DATE]
        mov [r_dx], ax
        clc
.r:     ret
.s:     cmp byte [r_ax], 1
        jne .bad
        mov [bx+F_TIME], cx
        mov [bx+F_DATE], dx
        or byte [bx+F_DIRTY], 1
        clc
        ret
.bad:   mov ax, 1
        stc
        ret

; 44h IOCTL
f_44:   cmp al, 8
        je .rem
        cmp al, 9
        je .remote
        cmp al, 0Eh
        je .map
        cmp al, 0Fh
        je .ok
        cmp al, 7
        ja .inv
        call hsft
        jc .r
        mov al, [r_ax]
        cmp al, 0
        je .info
        cmp al, 1
        je .ok
        cmp al, 6
        je .ist
        cmp al, 7
        je .ost
.inv:   mov ax, 1
        stc
.r:     ret
.info:  cmp byte [bx+F_DRV], 0FFh
        jne .finfo
        movzx si, byte [bx+F_DEV]
        shl si, 1
        mov ax, [devinfo+si-2]
        jmp short .si
.finfo: movzx ax, byte [bx+F_DRV]
        test byte [bx+F_DIRTY], 2
        jnz .si
        or al, 40h
.si:    mov [r_dx], ax
        mov [r_ax], ax
.ok:    clc
        ret
.ist:   mov byte [r_ax], 0FFh
        cmp byte [bx+F_DRV], 0FFh
        jne .fist
        cmp byte [bx+F_DEV], 1
        jne .ok
        call con_ready
        jnz .ok
        mov byte [r_ax], 0
        clc
        ret
.fist:  mov eax, [bx+F_POS]
        cmp eax, [bx+F_SIZE]
        jb .ok
        mov byte [r_ax], 0
        clc
        ret
.ost:   mov byte [r_ax], 0FFh
        clc
        ret
.rem:   mov al, bl
        call bl_drive
        jc .r
        xor ax, ax
        cmp byte [si+D_BIOS], 80h
        jb .rm
        inc ax
.rm:    mov [r_ax], ax
        clc
        ret
.remote:
        mov al, bl
        call bl_drive
        jc .r
        mov word [r_dx], 0
        clc
        ret
.map:   mov al, bl
        call bl_drive
        jc .r
        mov byte [r_ax], 0
        clc
        ret
devinfo dw 80D3h, 80C0h, 0A0C0h, 8084h

; bl_drive: al = 0 default, 1 = A: ... -> si = drive table entry, CF ax=0Fh
bl_drive:
        test al, al
        jnz .d
        mov al, [cur_drv]
        inc al
.d:     dec al
        call drv_ptr
        jnc .r
        mov ax, 0Fh
.r:     ret
