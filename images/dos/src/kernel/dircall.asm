; ---------------------------------------------------------------- dir calls
; 41h delete file
f_41:   call get_dsdx
        call resolve_find
        jc .r
        test byte [di+11], 19h
        jnz .acc
        mov ax, [di+26]
        mov byte [di], 0E5h
        call ent_put
        call fat_free_chain
        clc
.r:     ret
.acc:   mov ax, 5
        stc
        ret

; 43h get/set file attributes
f_43:   call get_dsdx
        call resolve
        jc .r
        cmp byte [fcbname], ' '
        je .isdir
        cmp word [fcbname], '. '
        je .isdir
        mov ax, [res_dir]
        mov dl, 08h
        call dir_find
        jc .nf
        cmp byte [r_ax], 0
        jne .set
        movzx ax, byte [di+11]
        mov [r_cx], ax
        clc
.r:     ret
.set:   cmp byte [r_ax], 1
        jne .inv
        mov al, [r_cx]
        test al, 18h
        jnz .acc
        mov ah, [di+11]
        and ah, 18h
        or al, ah
        mov [di+11], al
        call ent_put
        clc
        ret
.nf:    mov ax, 2
        stc
        ret
.acc:   mov ax, 5
        stc
        ret
.inv:   mov ax, 1
        stc
        ret
.isdir: mov word [r_cx], 10h
        clc
        ret

; 39h create directory (mkdir)
f_39:   call get_dsdx
        call resolve
        jc .r
        call has_wild
        je .p
        cmp byte [fcbname], ' '
        je .p
        cmp byte [fcbname], '.'
        je .acc
        mov ax, [res_dir]
        mov dl, 0
        call dir_find
        jnc .acc
        mov ax, [res_dir]
        call dir_free_slot
        jc .acc
        call fat_alloc
        jc .acc
        mov [mk_clus], ax
        call ent_get            ; the FAT work may have reused the buffer
        ; the new entry
        push di
        push si
        push es
        push cs
        pop es
        mov si, fcbname
        mov cx, 11
        rep movsb
        pop es
        pop si
        pop di
        mov byte [di+11], 10h
        mov dword [di+12], 0
        mov dword [di+16], 0
        mov word [di+20], 0
        push di
        call fat_stamp
        pop di
        mov [di+22], ax
        mov [di+24], dx
        mov [mk_stamp], ax
        mov [mk_stamp+2], dx
        mov ax, [mk_clus]
        mov [di+26], ax
        mov dword [di+28], 0
        call ent_put
        ; the directory cluster with "." and ".."
        mov ax, [mk_clus]
        call clus_zero
        call clus_lba
        call getsec_e
        jc .acc
        push eax
        push di
        mov cx, 11
        mov al, ' '
        push es
        push cs
        pop es
        push di
        rep stosb
        pop di
        lea di, [di+32]
        mov cx, 11
        rep stosb
        pop es
        pop di
        pop eax
        mov byte [di], '.'
        mov byte [di+32], '.'
        mov byte [di+33], '.'
        mov byte [di+11], 10h
        mov byte [di+43], 10h
        mov cx, [mk_stamp]
        mov [di+22], cx
        mov [di+54], cx
        mov cx, [mk_stamp+2]
        mov [di+24], cx
        mov [di+56], cx
        mov cx, [mk_clus]
        mov [di+26], cx
        mov cx, [res_dir]
        mov [di+58], cx
        call putsec
        clc
.r:     ret
.p:     mov ax, 3
        stc
        ret
.acc:   mov ax, 5
        stc
        ret
mk_clus dw 0
mk_stamp dw 0, 0

; 3Ah remove directory (rmdir)
f_3a:   call get_dsdx
        call resolve
        jc .r
        cmp byte [fcbname], '.'
        je .acc
        cmp byte [fcbname], ' '
        je .p
        mov ax, [res_dir]
        mov dl, 0
        call dir_find
        jc .p
        test byte [di+11], 10h
        jz .p
        mov ax, [di+26]
        cmp ax, [si+D_CWDCL]
        je .cur
        ; must be empty
        push word [ent_lba]
        push word [ent_lba+2]
        push word [ent_off]
        mov [mk_clus], ax
        mov bx, 2
.e:     mov ax, [mk_clus]
        call dir_entry
        jc .empty
        cmp byte [di], 0
        je .empty
        cmp byte [di], 0E5h
        je .en
        test byte [di+11], 08h
        jz .notempty
.en:    inc bx
        jmp .e
.notempty:
        add sp, 6
.acc:   mov ax, 5
        stc
.r:     ret
.empty: pop word [ent_off]
        pop word [ent_lba+2]
        pop word [ent_lba]
        call ent_get
        mov byte [di], 0E5h
        call ent_put
        mov ax, [mk_clus]
        call fat_free_chain
        clc
        ret
.p:     mov ax, 3
        stc
        ret
.cur:   mov ax, 10h
        stc
        ret

; 3Bh set current directory (chdir)
f_3b:   call get_dsdx
        call resolve
        jc .r
        cmp byte [fcbname], ' '
        je .root
        call has_wild
        je .p
        call lookup_dir_end
        jc .p
.set:   mov [si+D_CWDCL], ax
        push si
        lea di, [si+D_CWD]
        mov si, newcwd
        push es
        push cs
        pop es
        mov cx, 64
        rep movsb
        pop es
        pop si
        mov byte [si+D_CWD+63], 0
        clc
.r:     ret
.root:  mov ax, [res_dir]
        jmp .set
.p:     mov ax, 3
        stc
        ret
newcwd_end dw 0

; the final component of a CD: find end of newcwd and look it up
lookup_dir_end:
        mov di, newcwd
.l:     cmp byte [di], 0
        je lookup_dir
        inc di
        jmp .l

; 47h get current directory
f_47:   mov al, dl
        call bl_drive
        jc .r
        mov es, [r_ds]
        mov di, [r_si]
        lea si, [si+D_CWD]
        mov cx, 64
        rep movsb
        mov word [r_ax], 0100h
        clc
.r:     ret

; 56h rename file
f_56:   call get_dsdx
        call resolve_find
        jc .r
        test byte [di+11], 08h
        jnz .acc
        ; keep the old entry
        push si
        mov si, di
        mov di, ren_ent
        push es
        push cs
        pop es
        mov cx, 32
        rep movsb
        pop es
        pop si
        mov eax, [ent_lba]
        mov [ren_lba], eax
        mov ax, [ent_off]
        mov [ren_off], ax
        mov [ren_drv], si
        mov ax, [res_dir]
        mov [ren_dir], ax
        ; the new name
        mov es, [r_es]
        mov di, [r_di]
        call resolve
        jc .r
        cmp si, [ren_drv]
        jne .dev
        call has_wild
        je .p
        cmp byte [fcbname], ' '
        je .p
        mov ax, [res_dir]
        mov dl, 0
        call dir_find
        jnc .acc
        mov ax, [res_dir]
        cmp ax, [ren_dir]
        je .same
        test byte [ren_ent+11], 10h
        jnz .acc                ; directories are renamed in place only
        call dir_free_slot
        jc .acc
        push si
        mov si, ren_ent
        push es
        push cs
        pop es
        push di
        mov cx, 32
        rep movsb
        pop di
        mov si, fcbname
        mov cx, 11
        rep movsb
        pop es
        pop si
        call ent_put
        ; delete the old entry
        mov eax, [ren_lba]
        mov [ent_lba], eax
        mov ax, [ren_off]
        mov [ent_off], ax
        call ent_get
        mov byte [di], 0E5h
        call ent_put
        clc
.r:     ret
.same:  mov eax, [ren_lba]
        mov [ent_lba], eax
        mov ax, [ren_off]
        mov [ent_off], ax
        call ent_get
        call name_to_ent
        call ent_put
        clc
        ret
.dev:   mov ax, 11h
        stc
        ret
.p:     mov ax, 3
        stc
        ret
.acc:   mov ax, 5
        stc
        ret
ren_ent times 32 db 0
ren_lba dd 0
ren_off dw 0
ren_drv dw 0
ren_dir dw 0

; find first / next: DTA layout (DOS 3+): 0 drive, 1 pattern(11), 12 attr,
; 13 entry index, 15 dir cluster, 21 attr, 22 time, 24 date, 26 size, 30 name
; 4Eh find first matching file
f_4e:   call get_dsdx
        call resolve
        jc .r
        cmp byte [fcbname], ' '
        jne .h
        mov ax, 3
        stc
.r:     ret
.h:     les di, [dta]
        mov al, [res_drvi]
        mov [es:di], al
        push si
        mov si, fcbname
        inc di
        mov cx, 11
        rep movsb
        pop si
        mov al, [r_cx]
        mov [es:di], al
        mov word [es:di+1], 0
        mov ax, [res_dir]
        mov [es:di+3], ax
        call find_next
        jnc .ok
        mov ax, 12h
        stc
        ret
.ok:    ret
; 4Fh find next matching file
f_4f:   les di, [dta]
        mov al, [es:di]
        call drv_ptr
        jc .no
        push si
        lea si, [di+1]
        push ds
        push es
        pop ds
        push cs
        pop es
        mov di, fcbname
        mov cx, 11
        rep movsb
        pop ds
        pop si
        call find_next
        jnc .r
.no:    mov ax, 12h
        stc
.r:     ret

; find_next: si = drive, fcbname = pattern, DTA holds the state
find_next:
        les di, [dta]
        mov bx, [es:di+13]
        mov ax, [es:di+15]
        mov dl, [es:di+12]
        mov [fn_attr], dl
.l:     push es
        call dir_entry
        pop es
        jc .nf
        cmp byte [di], 0
        je .nf
        inc bx
        cmp byte [di], 0E5h
        je .l
        mov dl, [di+11]
        ; labels only when asked for; hidden/system/dir only when asked
        test dl, 08h
        jz .nl
        test byte [fn_attr], 08h
        jz .l
        jmp short .m
.nl:    cmp byte [fn_attr], 08h
        je .l
        mov dh, [fn_attr]
        not dh
        and dl, 16h
        test dl, dh
        jnz .l
        ; "." and ".." only match patterns that can name them
.m:     call name_match
        jne .l
        ; found: fill the DTA
        push si
        mov si, di
        les di, [dta]
        mov [es:di+13], bx
        mov al, [si+11]
        mov [es:di+21], al
        mov eax, [si+22]
        mov [es:di+22], eax
        mov eax, [si+28]
        mov [es:di+26], eax
        add di, 30
        cmp byte [si], '.'
        je .dots
        call fcb_name_es
        jmp short .z
.dots:  mov al, '.'
        stosb
        cmp byte [si+1], '.'
        jne .z
        stosb
.z:     mov byte [es:di], 0
        pop si
        clc
        ret
.nf:    stc
        ret
fn_attr db 0

fcb_name_es:                    ; ds:si 11-byte name -> es:di (es preserved)
        push cx
        mov cx, 8
.n:     lodsb
        cmp al, ' '
        je .ns
        stosb
.ns:    loop .n
        cmp byte [si], ' '
        je .d
        mov al, '.'
        stosb
        mov cx, 3
.e:     lodsb
        cmp al, ' '
        je .es
        stosb
.es:    loop .e
.d:     pop cx
        ret
