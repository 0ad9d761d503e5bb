; split the path at tmp: dirpart = up to and including the last '\' or ':'
; -> [namepos] = offset of the name part in tmp
split_path:
        mov si, tmp
        mov [namepos], si
.l:     lodsb
        test al, al
        jz .r
        cmp al, '\'
        je .s
        cmp al, '/'
        je .s
        cmp al, ':'
        jne .l
.s:     mov [namepos], si
        jmp .l
.r:     ret
namepos dw 0

; fullname: dir part of tmp + DTA name -> fname
fullname:
        mov si, dta+30
; dir_plus: dir part of tmp (up to [namepos]) + asciiz si -> fname
dir_plus:
        push si
        mov si, tmp
        mov di, fname
.l:     cmp si, [namepos]
        je .n
        lodsb
        stosb
        jmp .l
.n:     pop si
        jmp strcpy

c_del:  mov si, [args]
        mov di, tmp
        call getarg
        jc c_md.parm
        call split_path
        mov ah, 4Eh
        mov cx, 0
        mov dx, tmp
        int 21h
        jc .nf
.l:     call fullname
        mov ah, 41h
        mov dx, fname
        int 21h
        jnc .n
        mov si, msg_acc
        call puts
.n:     mov ah, 4Fh
        int 21h
        jnc .l
        ret
.nf:    cmp ax, 3
        je .pnf
        mov si, msg_fnf
        jmp puts
.pnf:   mov si, msg_pnf
        jmp puts

c_ren:  mov si, [args]
        mov di, tmp
        call getarg
        jc c_md.parm
        mov di, tmp2
        call getarg
        jc c_md.parm
        call split_path
        ; the new name goes in the directory of the old one
        mov si, tmp2
        call dir_plus
        mov ah, 56h
        mov dx, tmp
        mov di, fname
        int 21h
        jnc .r
        mov si, msg_fnf
        cmp ax, 2
        je .p
        mov si, msg_acc
.p:     jmp puts
.r:     ret

c_type: mov si, [args]
        mov di, tmp
        call getarg
        jc c_md.parm
        mov ax, 3D00h
        mov dx, tmp
        int 21h
        jc .nf
        mov bx, ax
.l:     mov ah, 3Fh
        mov cx, 512
        mov dx, iobuf
        int 21h
        jc .d
        test ax, ax
        jz .d
        mov cx, ax
        ; stop at ^Z
        mov di, iobuf
        push cx
        mov al, 1Ah
        repne scasb
        pop cx
        jne .w
        mov cx, di
        sub cx, iobuf+1
        push bx
        mov ah, 40h
        mov bx, 1
        mov dx, iobuf
        int 21h
        pop bx
        jmp short .d
.w:     push bx
        mov ah, 40h
        mov bx, 1
        mov dx, iobuf
        int 21h
        pop bx
        jmp .l
.d:     mov ah, 3Eh
        int 21h
        ret
.nf:    mov si, msg_fnf
        cmp ax, 3
        jne .nf2
        mov si, msg_pnf
.nf2:   jmp puts

; COPY source [destination]
c_copy: mov si, [args]
        mov di, tmp
        call getarg
        jc c_md.parm
        mov di, tmp2
        call getarg
        jnc .hd
        mov word [tmp2], '.'
.hd:    mov dword [ncopied], 0
        call split_path
        ; destination a directory (or drive)?
        mov byte [dst_isdir], 0
        mov si, tmp2
        call strlen
        mov bx, cx
        mov al, [tmp2+bx-1]
        cmp al, '\'
        je .dir
        cmp al, ':'
        je .dir
        cmp word [tmp2], '.'
        je .dir
        mov ax, 4300h
        mov dx, tmp2
        int 21h
        jc .nd
        test cl, 10h
        jz .nd
.dir:   mov byte [dst_isdir], 1
.nd:    mov ah, 4Eh
        mov cx, 0
        mov dx, tmp
        int 21h
        jc c_del.nf
.file:  call fullname
        ; destination name
        mov si, tmp2
        mov di, fname2
        call strcpy
        cmp byte [dst_isdir], 0
        je .go
        cmp byte [di-1], '\'
        je .nosl
        cmp byte [di-1], ':'
        je .nosl
        mov byte [di], '\'
        inc di
.nosl:  mov si, dta+30
        call strcpy
.go:    call copy_one
        jc .stop
        inc dword [ncopied]
        mov ah, 4Fh
        int 21h
        jnc .file
.stop:  mov eax, [ncopied]
        mov cx, 9
        call putnum
        mov si, msg_copied
        jmp puts
ncopied dd 0
dst_isdir db 0

; copy_one: fname -> fname2, CF to stop
copy_one:
        ; same file? compare the names as typed (after a canonical pass)
        mov si, fname
        mov di, canon1
        call canon
        mov si, fname2
        mov di, canon2
        call canon
        mov si, canon1
        mov di, canon2
.cmp:   mov al, [si]
        cmp al, [di]
        jne .diff
        inc si
        inc di
        test al, al
        jnz .cmp
        mov si, msg_self
        call puts
        stc
        ret
.diff:  mov ax, 3D00h
        mov dx, fname
        int 21h
        jc .nf
        mov [h_src], ax
        mov ah, 3Ch
        xor cx, cx
        mov dx, fname2
        int 21h
        jc .cerr
        mov [h_dst], ax
.l:     mov ah, 3Fh
        mov bx, [h_src]
        mov cx, IOBUF_SIZE
        mov dx, iobuf
        int 21h
        jc .rerr
        test ax, ax
        jz .done
        mov cx, ax
        mov ah, 40h
        mov bx, [h_dst]
        mov dx, iobuf
        int 21h
        jc .full
        cmp ax, cx
        jne .full
        jmp .l
.done:  ; keep the source's date and time, as DOS does
        mov ax, 5700h
        mov bx, [h_src]
        int 21h
        mov ax, 5701h
        mov bx, [h_dst]
        int 21h
        mov ah, 3Eh
        mov bx, [h_dst]
        int 21h
        mov ah, 3Eh
        mov bx, [h_src]
        int 21h
        clc
        ret
.full:  mov ah, 3Eh
        mov bx, [h_dst]
        int 21h
        mov ah, 41h
        mov dx, fname2
        int 21h
        mov ah, 3Eh
        mov bx, [h_src]
        int 21h
        mov si, msg_full
        call puts
        stc
        ret
.rerr:  mov si, msg_ioerr
        call puts
        jmp .full
.cerr:  mov ah, 3Eh
        mov bx, [h_src]
        int 21h
        mov si, msg_acc
        cmp ax, 3
        jne .p
        mov si, msg_pnf
.p:     call puts
        stc
        ret
.nf:    mov si, msg_fnf
        call puts
        stc
        ret
h_src   dw 0
h_dst   dw 0

; canon: si path -> di "X:\DIR\NAME" upper case (drive and cwd added)
canon:
        mov ah, 19h
        int 21h
        mov dl, al
        cmp byte [si+1], ':'
        jne .nd
        mov al, [si]
        call upcase
        sub al, 'A'
        mov dl, al
        add si, 2
.nd:    mov al, dl
        add al, 'A'
        mov [di], al
        mov word [di+1], ':\'
        add di, 3
        cmp byte [si], '\'
        je .abs
        push si
        mov si, di
        inc dl
        mov ah, 47h
        int 21h
        pop si
.e:     cmp byte [di], 0
        je .ee
        inc di
        jmp .e
.ee:    cmp byte [di-1], '\'
        je .cp
        mov byte [di], '\'
        inc di
        jmp short .cp
.abs:   inc si
.cp:    lodsb
        call upcase
        stosb
        test al, al
        jnz .cp
        ret
