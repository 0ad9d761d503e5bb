; LRDOS kernel (LRDOS.SYS).  Loaded by boot.asm at 0070:0000, DL = boot drive,
; boot sector (BPB) at 0000:7C00.  Written from the documented DOS API.
        bits 16
        cpu 386
        org 0

KSEG    equ 0070h
NSFT    equ 24          ; system file table entries
NBUF    equ 6           ; sector cache buffers
TRKMAX  equ 36          ; track buffer: 2.88 MB floppies have 36 sectors a track
MAXDRV  equ 3           ; A: B: C:

; drive table entry
D_BIOS    equ 0         ; BIOS drive number
D_VALID   equ 1
D_SPC     equ 2         ; sectors per cluster
D_FAT16   equ 3
D_NFATS   equ 4
D_LBA     equ 5         ; INT 13h extensions available
D_SPT     equ 6
D_HEADS   equ 8
D_RSVD    equ 10        ; first FAT sector
D_FATSZ   equ 12
D_ROOTENT equ 14
D_ROOT    equ 16        ; dword first root sector
D_DATA    equ 20        ; dword first data sector
D_HIDDEN  equ 24        ; dword
D_MAXCL   equ 28        ; highest valid cluster number
D_CWDCL   equ 30        ; current directory cluster (0 = root)
D_CWD     equ 32        ; current directory path, 64 bytes, no leading '\'
D_HINT    equ 96        ; where the next free-cluster search starts
D_SIZE    equ 98

; system file table entry
F_REF   equ 0
F_DRV   equ 1           ; drive index, FFh = character device
F_DEV   equ 2           ; 1 CON 2 AUX 3 PRN 4 NUL
F_MODE  equ 3
F_ATTR  equ 4
F_DIRTY equ 5           ; bit0 changed (update dir entry), bit1 written
F_CLUS  equ 6
F_SIZE  equ 8
F_POS   equ 12
F_DIRLBA equ 16
F_DIROFF equ 20
F_CURCL equ 22
F_CURIX equ 24
F_TIME  equ 26
F_DATE  equ 28
F_SSIZE equ 32

%macro SETERR 1
        mov ax, %1
        stc
        ret
%endmacro

start:
        jmp init

; ---------------------------------------------------------------- data
banner  db 'LRDOS 1.0', 0Dh, 0Ah, 0
msg_nocmd db 'Bad or missing Command Interpreter', 0Dh, 0Ah, 0
comspec_tail db 0, 0Dh
serial_on db 1
boot_drv db 0           ; drive index we booted from
cur_drv db 0
cur_psp dw 0
dta     dd 0
user_sp dw 0
user_ss dw 0
last_err dw 0
ret_code dw 0
break_flag db 0
first_mcb dw 0
mem_top dw 0
alloc_strat dw 0
col     db 0
last_in db 0
verify  db 0
cache_next db 0
exec_op db 0
no_dta_reset db 0

; list of lists (INT 21h 52h): the word before it is the first MCB
lol_mcb dw 0
lol     times 40h db 0

; register frame copied from the caller's stack: ax bx cx dx si di bp ds es ip cs fl
regs:
r_ax    dw 0
r_bx    dw 0
r_cx    dw 0
r_dx    dw 0
r_si    dw 0
r_di    dw 0
r_bp    dw 0
r_ds    dw 0
r_es    dw 0
r_ip    dw 0
r_cs    dw 0
r_fl    dw 0

devnames db 'CON     AUX     PRN     NUL     COM1    LPT1    '
dev_ids  db 1, 2, 3, 4, 2, 3

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

f_none: mov ax, 1
        stc
        ret
f_nop0: mov byte [r_ax], 0
        clc
        ret

; ---------------------------------------------------------------- console
; con_out: al = character, to the screen (INT 10h) and COM1
con_out:
        pusha
        cmp al, 9
        jne .nt
.tab:   mov al, ' '
        call con_out
        test byte [col], 7
        jnz .tab
        popa
        ret
.nt:    cmp byte [serial_on], 0
        je .ns
        mov ah, al
        mov dx, 3FDh
        mov cx, 0FFFFh
.w:     in al, dx
        test al, 20h
        loopz .w
        mov dx, 3F8h
        mov al, ah
        out dx, al
.ns:    cmp al, 0Dh
        jne .n1
        mov byte [col], 0
.n1:    cmp al, 8
        jne .n2
        cmp byte [col], 0
        je .n3
        dec byte [col]
        jmp short .n3
.n2:    cmp al, 20h
        jb .n3
        inc byte [col]
.n3:    mov ah, 0Eh
        mov bx, 7
        int 10h
        popa
        ret

; con_puts: ds:si asciiz
con_puts:
        lodsb
        test al, al
        jz .r
        call con_out
        jmp con_puts
.r:     ret

hex16:  mov cx, 4
.l:     rol ax, 4
        push ax
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .d
        add al, 7
.d:     call con_out
        pop ax
        loop .l
        ret
crlf:   mov al, 0Dh
        call con_out
        mov al, 0Ah
        jmp con_out

; con_ready: ZF=0 if a key (keyboard or COM1) is waiting
con_ready:
        mov ah, 1
        int 16h
        jnz .y
        push dx
        mov dx, 3FDh
        in al, dx
        pop dx
        test al, 1
        jnz .y
.n:     xor ax, ax              ; ZF=1
        ret
.y:     or ax, 1
        ret

; con_in: wait for a key -> al ascii, ah scan
con_in:
        mov ah, 1
        int 16h
        jz .ser
        xor ax, ax
        int 16h
        ret
.ser:   push dx
        mov dx, 3FDh
        in al, dx
        test al, 1
        jz .none
        mov dx, 3F8h
        in al, dx
        pop dx
        mov ah, 0
        cmp al, 0Ah             ; CR LF or lone LF from a terminal -> CR
        jne .nlf
        cmp byte [last_in], 0Dh
        mov byte [last_in], 0Ah
        je con_in
        mov al, 0Dh
        ret
.nlf:   mov [last_in], al
        cmp al, 7Fh
        jne .r
        mov al, 8
.r:     ret
.none:  pop dx
        ; idle: after a while without input, wait for the next interrupt
        ; (keyboard, timer) instead of spinning
        dec word [idle_spin]
        jnz con_in
        mov word [idle_spin], 400
        sti
        hlt
        jmp con_in
idle_spin dw 400

; read_line: es:di = buffer (DOS 0Ah layout), echoes and edits
line_tmpl times 130 db 0
line_tlen db 0
read_line:
        mov cl, [es:di]         ; max including CR
        test cl, cl
        jz .ret
        xor bx, bx              ; count
.key:   call con_in
        cmp al, 0Dh
        je .cr
        cmp al, 8
        je .bs
        cmp al, 1Bh
        je .esc
        cmp al, 3
        je .ctlc
        test al, al
        jz .ext
        cmp al, 0E0h
        je .ext
.ins:   mov dl, bl
        inc dl
        cmp dl, cl
        jae .beep
        mov [es:di+bx+2], al
        inc bx
        call con_out
        jmp .key
.beep:  mov al, 7
        call con_out
        jmp .key
.bs:    test bx, bx
        jz .key
        dec bx
        call .rub
        jmp .key
.esc:   test bx, bx
        jz .key
        dec bx
        call .rub
        jmp .esc
.ctlc:  mov al, '^'
        call con_out
        mov al, 'C'
        call con_out
        xor bx, bx
        jmp short .cr
.ext:   cmp ah, 3Dh             ; F3 / up arrow: rest of the previous line
        je .f3
        cmp ah, 48h
        je .f3
        cmp ah, 4Dh             ; right arrow / F1: one char of template
        je .f1
        cmp ah, 3Bh
        je .f1
        cmp ah, 4Bh             ; left arrow: like backspace
        je .bs
        jmp .key
.f1:    cmp bl, [line_tlen]
        jae .key
        mov al, [line_tmpl+bx]
        jmp .ins
.f3:    cmp bl, [line_tlen]
        jae .key
        mov al, [line_tmpl+bx]
        mov dl, bl
        inc dl
        inc dl
        cmp dl, cl
        ja .key
        mov [es:di+bx+2], al
        inc bx
        call con_out
        jmp .f3
.rub:   mov al, 8
        call con_out
        mov al, ' '
        call con_out
        mov al, 8
        jmp con_out
.cr:    mov byte [es:di+bx+2], 0Dh
        mov [es:di+1], bl
        mov [line_tlen], bl
        push di
        lea si, [di+2]
        mov cx, bx
        mov di, line_tmpl
.cp:    jcxz .cpd
        mov al, [es:si]
        mov [di], al
        inc si
        inc di
        dec cx
        jmp .cp
.cpd:   pop di
        mov al, 0Dh
        call con_out
.ret:   ret

f_01:   call con_in
        mov [r_ax], al
        call std_char
        clc
        ret
f_02:   mov al, dl
        mov [r_ax], al
        call std_char
        clc
        ret

; std_char: al to standard output (handle 1), which may be redirected
outc    db 0
std_char:
        push es
        push di
        push cx
        mov [outc], al
        push cs
        pop es
        mov di, outc
        mov cx, 1
        call std_out
        pop cx
        pop di
        pop es
        ret

; std_out: es:di, cx bytes to handle 1 of the current process
std_out:
        pusha
        push es
        mov bx, 1
        call hsft
        pop es
        jc .con
        cmp byte [bx+F_DRV], 0FFh
        jne .file
        cmp byte [bx+F_DEV], 3
        jae .r                  ; PRN, NUL
.con:   jcxz .r
.c:     mov al, [es:di]
        call con_out
        inc di
        loop .c
.r:     popa
        ret
.file:  jcxz .r
        push dword [r_ax]
        push word [r_dx]
        push word [r_ds]
        push word [r_cx]
        mov [r_dx], di
        mov [r_ds], es
        mov [r_cx], cx
        push es
        call file_write
        pop es
        pop word [r_cx]
        pop word [r_ds]
        pop word [r_dx]
        pop dword [r_ax]
        popa
        ret
f_03:   mov byte [r_ax], 0
        clc
        ret
f_04:
f_05:   clc
        ret
f_06:   cmp dl, 0FFh
        je .in
        mov al, dl
        mov [r_ax], al
        call std_char
        clc
        ret
.in:    call con_ready
        jz .none
        call con_in
        mov [r_ax], al
        and byte [r_fl], 0BFh   ; ZF=0
        clc
        ret
.none:  mov byte [r_ax], 0
        or byte [r_fl], 40h
        clc
        ret
f_07:
f_08:   call con_in
        mov [r_ax], al
        clc
        ret
f_09:   call get_dsdx
        xor cx, cx
.l:     mov bx, di
        add bx, cx
        cmp byte [es:bx], '$'
        je .d
        inc cx
        jnz .l
.d:     call std_out
        mov byte [r_ax], '$'
        clc
        ret
f_0a:   call get_dsdx
        call read_line
        clc
        ret
f_0b:   call con_ready
        mov al, 0
        jz .n
        mov al, 0FFh
.n:     mov [r_ax], al
        clc
        ret
f_0c:   ; flush the type-ahead, then run 01/06/07/08/0A
.fl:    call con_ready
        jz .e
        call con_in
        jmp .fl
.e:     mov al, [r_ax]
        mov ah, al
        cmp al, 1
        je f_01
        cmp al, 6
        je f_06
        cmp al, 7
        je f_07
        cmp al, 8
        je f_08
        cmp al, 0Ah
        je f_0a
        mov byte [r_ax], 0
        clc
        ret

; ---------------------------------------------------------------- disk I/O
; phys_io: si = drive, eax = volume LBA, cx = max sectors, es:bx = buffer,
;          [io_cmd] = 2 read / 3 write  ->  cx = sectors done, CF on error
io_cmd  db 2
dap     db 10h, 0
dap_n   dw 0
dap_buf dd 0
dap_lba dd 0, 0
phys_io:
        push eax
        push edx
        push di
        add eax, [si+D_HIDDEN]
        cmp byte [si+D_LBA], 0
        je .chs
        cmp cx, 127
        jbe .l1
        mov cx, 127
.l1:    mov [dap_n], cx
        mov [dap_buf], bx
        mov [dap_buf+2], es
        mov [dap_lba], eax
        mov di, 3
.lr:    push si
        mov ah, [io_cmd]
        add ah, 40h
        mov al, 0
        mov dl, [si+D_BIOS]
        mov si, dap
        int 13h
        pop si
        jnc .ok
        dec di
        jnz .lr
        jmp .err
.chs:   xor edx, edx
        push ecx
        movzx ecx, word [si+D_SPT]
        div ecx                 ; eax = track, dx = sector - 1
        pop ecx
        mov di, [si+D_SPT]
        sub di, dx              ; sectors left on this track
        cmp cx, di
        jbe .c1
        mov cx, di
.c1:    ; whole-track reads: a floppy track is read once into trkbuf and
        ; the sectors are copied from there
        cmp [trk_drv], si
        jne .miss
        cmp [trk_no], eax
        jne .miss
        cmp byte [io_cmd], 2
        je .fromcache
        ; a write to the cached track: write, then keep the buffer in step
        call chs_rw
        jc .err
        push si
        push cx
        push ds
        push es
        mov di, dx
        shl di, 9
        add di, trkbuf
        mov si, bx
        push es
        pop ds
        push cs
        pop es
        shl cx, 8
        rep movsw
        pop es
        pop ds
        pop cx
        pop si
        jmp .ok
.miss:  cmp byte [io_cmd], 2
        jne .direct
        cmp word [si+D_SPT], TRKMAX
        ja .direct
        push es
        push bx
        push cx
        push dx
        push cs
        pop es
        mov bx, trkbuf
        mov cx, [si+D_SPT]
        xor dx, dx
        call chs_rw
        pop dx
        pop cx
        pop bx
        pop es
        jc .direct
        mov [trk_drv], si
        mov [trk_no], eax
.fromcache:
        push si
        push cx
        mov si, dx
        shl si, 9
        add si, trkbuf
        mov di, bx
        shl cx, 8
        rep movsw
        pop cx
        pop si
        jmp short .ok
.direct:
        call chs_rw
        jc .err
.ok:    pop di
        pop edx
        pop eax
        clc
        ret
.err:   pop di
        pop edx
        pop eax
        stc
        ret

; chs_rw: eax = track, dx = sector - 1, cx = count, es:bx = buffer,
;         [io_cmd], si = drive -> CF on error (three tries, with resets)
trk_drv dw 0
trk_no  dd 0
chs_rw: pushad
        push cx
        mov cl, dl
        inc cl
        xor edx, edx
        movzx edi, word [si+D_HEADS]
        div edi                 ; eax = cylinder, dx = head
        mov ch, al
        shl ah, 6
        or cl, ah
        mov dh, dl
        mov dl, [si+D_BIOS]
        pop di
        mov bp, 3
.r:     mov ax, di
        mov ah, [io_cmd]
        int 13h
        jnc .ok
        xor ax, ax
        int 13h
        dec bp
        jnz .r
        popad
        stc
        ret
.ok:    popad
        clc
        ret

; disk_io: like phys_io but for any count, splitting at track and 64 KB
; DMA boundaries (one sector through the bounce buffer when needed).
drv_save dw 0
disk_io:
        pushad
        push es
        mov [drv_save], si
.lp:    test cx, cx
        jz .done
        mov dx, bx              ; normalize es:bx
        shr dx, 4
        mov di, es
        add di, dx
        mov es, di
        and bx, 15
        movzx edx, di
        shl edx, 4
        add dx, bx
        neg dx                  ; bytes to the next 64 KB boundary
        jz .full
        shr dx, 9
        jz .bounce
        jmp short .have
.full:  mov dx, 128
.have:  push cx
        cmp cx, dx
        jbe .c
        mov cx, dx
.c:     call phys_io
        jc .errp
        pop dx
        sub dx, cx
        movzx ecx, cx
        add eax, ecx
        shl cx, 9
        add bx, cx
        mov cx, dx
        jmp .lp
.bounce:
        push cx
        push es
        push bx
        cmp byte [io_cmd], 3
        jne .b1
        push ds
        push es
        pop ds
        mov si, bx
        push cs
        pop es
        mov di, bounce
        mov cx, 256
        rep movsw
        pop ds
.b1:    push cs
        pop es
        mov bx, bounce
        mov si, [drv_save]
        mov cx, 1
        call phys_io
        pop bx
        pop es
        jc .errp
        cmp byte [io_cmd], 2
        jne .b2
        mov di, bx
        mov si, bounce
        mov cx, 256
        rep movsw
.b2:    mov si, [drv_save]
        inc eax
        add bx, 512
        pop cx
        dec cx
        jmp .lp
.errp:  pop cx
        pop es
        popad
        stc
        ret
.done:  pop es
        popad
        clc
        ret

; sector cache: getsec si=drive eax=LBA -> di = buffer (in KSEG), CF error
; buffers are write-through: putsec writes a buffer back at once.
getsec:
        push bx
        push cx
        push es
        mov di, cache_hdr
        mov cx, NBUF
.f:     cmp [di], si
        jne .n
        cmp [di+2], eax
        je .hit
.n:     add di, 6
        loop .f
        ; miss: take the next buffer round robin
        movzx bx, byte [cache_next]
        inc byte [cache_next]
        cmp byte [cache_next], NBUF
        jb .m1
        mov byte [cache_next], 0
.m1:    mov di, bx
        imul di, 6
        add di, cache_hdr
        mov word [di], 0
        mov [di+2], eax
        push di
        imul bx, bx, 512
        add bx, cache_data
        push cs
        pop es
        mov byte [io_cmd], 2
        mov cx, 1
        call disk_io
        pop di
        jc .err
        mov [di], si
.hit:   sub di, cache_hdr
        mov ax, di
        xor dx, dx
        mov cx, 6
        div cx
        imul di, ax, 512
        add di, cache_data
        mov eax, [cache_lba_tmp]
        clc
.err:   pop es
        pop cx
        pop bx
        ret
cache_lba_tmp dd 0

getsec_e:                       ; getsec preserving eax, edx
        push edx
        mov [cache_lba_tmp], eax
        call getsec
        mov eax, [cache_lba_tmp]
        pop edx
        ret

; putsec: write buffer di (from getsec) back to drive si at LBA eax
putsec:
        pushad
        push es
        push cs
        pop es
        mov bx, di
        mov byte [io_cmd], 3
        mov cx, 1
        call disk_io
        pop es
        popad
        ret

; cache_forget: drop cached copies of sectors eax .. eax+cx-1 of drive si
cache_forget:
        push di
        push edx
        push ecx
        push bx
        movzx ecx, cx
        mov di, cache_hdr
        mov bx, NBUF
.l:     cmp [di], si
        jne .n
        mov edx, [di+2]
        sub edx, eax
        cmp edx, ecx
        jae .n
        mov word [di], 0
.n:     add di, 6
        dec bx
        jnz .l
        pop bx
        pop ecx
        pop edx
        pop di
        ret

; forget cached sectors of drive si (after direct writes / media change)
cache_flush_drv:
        push di
        push cx
        mov di, cache_hdr
        mov cx, NBUF
.l:     cmp [di], si
        jne .n
        mov word [di], 0
.n:     add di, 6
        loop .l
        pop cx
        pop di
        ret

; ---------------------------------------------------------------- FAT
; fat_byte: eax = byte offset in FAT -> di = pointer, eax = FAT sector LBA
fat_ptr:
        push ecx
        mov ecx, eax
        shr eax, 9
        movzx edx, word [si+D_RSVD]
        add eax, edx
        call getsec_e
        jc .e
        and cx, 511
        add di, cx
.e:     pop ecx
        ret

; write the FAT sector in buffer (di & ~511 .. ) at eax to every FAT copy
fat_put:
        pushad
        sub di, cache_data
        and di, 0FE00h
        add di, cache_data
        movzx cx, byte [si+D_NFATS]
        movzx edx, word [si+D_FATSZ]
.l:     call putsec
        jc .e
        add eax, edx
        loop .l
        popad
        clc
        ret
.e:     popad
        stc
        ret

; fat_get: si = drive, ax = cluster -> ax = next (FFFFh for end of chain)
fat_get:
        push edx
        push di
        push eax
        movzx eax, ax
        cmp byte [si+D_FAT16], 0
        jne .f16
        mov edx, eax
        shr edx, 1
        add eax, edx
        push eax
        call fat_ptr
        mov dl, [di]
        pop eax
        jc .err
        inc eax
        push dx
        call fat_ptr
        pop dx
        jc .err
        mov dh, [di]
        pop eax
        test al, 1
        jz .ev
        shr dx, 4
.ev:    and dx, 0FFFh
        cmp dx, 0FF7h
        jb .r
        mov dx, 0FFFFh
        jmp short .r
.f16:   shl eax, 1
        call fat_ptr
        jc .err
        mov dx, [di]
        pop eax
        cmp dx, 0FFF7h
        jb .r
        mov dx, 0FFFFh
.r:     mov ax, dx
        pop di
        pop edx
        clc
        ret
.err:   pop eax
        pop di
        pop edx
        mov ax, 0FFFFh
        stc
        ret

; fat_set: si = drive, ax = cluster, dx = value
fat_set:
        pushad
        movzx eax, ax
        cmp byte [si+D_FAT16], 0
        jne .f16
        mov bx, ax              ; cluster parity
        mov ecx, eax
        shr ecx, 1
        add eax, ecx
        and dx, 0FFFh
        mov cx, ax
        and cx, 511
        cmp cx, 511
        je .split
        ; both bytes in one sector: one write per FAT copy
        push dx
        call fat_ptr
        pop dx
        jc .e
        test bl, 1
        jz .ev
        shl dx, 4
        and byte [di], 0Fh
        or [di], dl
        mov [di+1], dh
        jmp short .w
.ev:    mov [di], dl
        and byte [di+1], 0F0h
        or [di+1], dh
.w:     call fat_put
        popad
        clc
        ret
.split: push eax
        push dx
        call fat_ptr
        pop dx
        jc .e1
        test bl, 1
        jz .ev0
        mov cl, dl
        shl cl, 4
        and byte [di], 0Fh
        or [di], cl
        jmp short .w0
.ev0:   mov [di], dl
.w0:    call fat_put
        pop eax
        inc eax
        push dx
        call fat_ptr
        pop dx
        jc .e
        test bl, 1
        jz .ev1
        shr dx, 4
        mov [di], dl
        jmp short .w1
.ev1:   and byte [di], 0F0h
        or [di], dh
.w1:    call fat_put
        popad
        clc
        ret
.f16:   shl eax, 1
        push dx
        call fat_ptr
        pop dx
        jc .e
        mov [di], dx
        call fat_put
        popad
        clc
        ret
.e1:    pop eax
.e:     popad
        stc
        ret

; clus_lba: ax = cluster -> eax = first sector
clus_lba:
        push edx
        movzx eax, ax
        sub eax, 2
        movzx edx, byte [si+D_SPC]
        imul eax, edx
        add eax, [si+D_DATA]
        pop edx
        ret

; fat_alloc: si = drive -> ax = new cluster marked end-of-chain, CF if full
fat_alloc:
        push bx
        push cx
        push dx
        mov bx, [si+D_HINT]     ; continue after the last allocation
        cmp bx, 2
        jb .h2
        cmp bx, [si+D_MAXCL]
        jbe .st
.h2:    mov bx, 2
.st:    mov cx, [si+D_MAXCL]
        dec cx
.l:     mov ax, bx
        call fat_get
        jc .full
        test ax, ax
        jz .got
        inc bx
        cmp bx, [si+D_MAXCL]
        jbe .n
        mov bx, 2
.n:     loop .l
.full:  pop dx
        pop cx
        pop bx
        stc
        ret
.got:   mov ax, bx
        mov dx, 0FFFFh
        call fat_set
        lea dx, [bx+1]
        mov [si+D_HINT], dx
        pop dx
        pop cx
        pop bx
        ret

; fat_free_chain: si = drive, ax = first cluster
fat_free_chain:
        push ax
        push bx
        push dx
.l:     cmp ax, 2
        jb .d
        cmp ax, 0FFF7h
        jae .d
        mov bx, ax
        call fat_get
        xchg ax, bx
        xor dx, dx
        call fat_set
        mov ax, bx
        jmp .l
.d:     pop dx
        pop bx
        pop ax
        ret

; zero a cluster (new directory clusters)
clus_zero:
        pushad
        call clus_lba
        movzx cx, byte [si+D_SPC]
.l:     call getsec_e
        jc .e
        push cx
        push di
        push es
        push cs
        pop es
        mov cx, 256
        push ax
        xor ax, ax
        rep stosw
        pop ax
        pop es
        pop di
        pop cx
        call putsec
        inc eax
        loop .l
.e:     popad
        ret

; ---------------------------------------------------------------- directories
; dir_entry: si = drive, ax = dir cluster (0 root), bx = index
;   -> di = entry pointer (cache), [ent_lba], [ent_off]; CF at the end
ent_lba dd 0
ent_off dw 0
dir_entry:
        push eax
        push ecx
        push edx
        push bx
        test ax, ax
        jnz .sub
        cmp bx, [si+D_ROOTENT]
        jae .end
        movzx eax, bx
        shr eax, 4
        add eax, [si+D_ROOT]
        jmp short .rd
.sub:   movzx cx, byte [si+D_SPC]
        shl cx, 4               ; entries per cluster
        push ax
        mov ax, bx
        xor dx, dx
        div cx                  ; ax = clusters to skip, dx = index in cluster
        mov cx, ax
        pop ax
.sk:    jcxz .in
        call fat_get
        jc .end
        cmp ax, 0FFF7h
        jae .end
        dec cx
        jmp .sk
.in:    cmp ax, 2
        jb .end
        call clus_lba
        movzx edx, dx
        shr edx, 4
        add eax, edx
.rd:    mov [ent_lba], eax
        call getsec_e
        jc .end
        and bx, 15
        shl bx, 5
        add di, bx
        mov [ent_off], bx
        pop bx
        pop edx
        pop ecx
        pop eax
        clc
        ret
.end:   pop bx
        pop edx
        pop ecx
        pop eax
        stc
        ret

; re-fetch the entry recorded in ent_lba/ent_off -> di
ent_get:
        push eax
        mov eax, [ent_lba]
        call getsec_e
        jc .e
        add di, [ent_off]
.e:     pop eax
        ret
ent_put:                        ; write back the sector holding the entry
        push eax
        push di
        mov eax, [ent_lba]
        call getsec_e
        jc .e
        call putsec
.e:     pop di
        pop eax
        ret

; name_match: compare 11 bytes at di (entry) with pattern at fcbname ('?' wild)
name_match:
        push ax
        push si
        push cx
        push di
        mov si, fcbname
        mov cx, 11
.l:     mov al, [si]
        cmp al, '?'
        je .n
        cmp al, [di]
        jne .ne
.n:     inc si
        inc di
        loop .l
        cmp al, al
.ne:    pop di
        pop cx
        pop si
        pop ax
        ret

; dir_find: si = drive, ax = dir cluster, fcbname = pattern, dl = attr mask
;   of entries that are skipped (e.g. 08h labels)
;   -> di = entry, bx = index, CF if not found
dir_find:
        xor bx, bx
.l:     call dir_entry
        jc .nf
        cmp byte [di], 0
        je .nf
        cmp byte [di], 0E5h
        je .n
        test [di+11], dl
        jnz .n
        call name_match
        je .f
.n:     inc bx
        jmp .l
.f:     clc
        ret
.nf:    stc
        ret

; dir_free_slot: si = drive, ax = dir cluster -> di = free entry (extends
; a subdirectory by one cluster when needed), CF if the root is full
dir_free_slot:
        xor bx, bx
.l:     call dir_entry
        jc .ext
        cmp byte [di], 0
        je .f
        cmp byte [di], 0E5h
        je .f
        inc bx
        jmp .l
.f:     clc
        ret
.ext:   test ax, ax
        jz .full
        push ax
        push bx
        ; find the last cluster of the directory
        mov bx, ax
.lc:    mov ax, bx
        call fat_get
        cmp ax, 0FFF7h
        jae .last
        mov bx, ax
        jmp .lc
.last:  call fat_alloc
        jc .full2
        mov dx, ax
        mov ax, bx
        call fat_set
        mov ax, dx
        call clus_zero
        pop bx
        pop ax
        jmp .l
.full2: pop bx
        pop ax
.full:  stc
        ret

; ---------------------------------------------------------------- paths
fcbname times 11 db ' '
pathbuf times 128 db 0
comp    times 13 db 0
res_drv dw 0            ; drive pointer
res_dir dw 0            ; cluster of the directory holding the last part
res_drvi db 0           ; drive index
res_abs db 0
newcwd  times 68 db 0

drv_ptr:                        ; al = drive index -> si, CF if invalid
        cmp al, MAXDRV
        jae .bad
        movzx si, al
        imul si, D_SIZE
        add si, drives
        cmp byte [si+D_VALID], 0
        je .bad
        clc
        ret
.bad:   stc
        ret

; to_fcb: ds:si = name component (ends at 0, '\', '/') -> fcbname
;   returns si after the component; CF if the name is invalid
to_fcb:
        push di
        push cx
        mov di, fcbname
        mov cx, 11
        push di
.b:     mov byte [di], ' '
        inc di
        loop .b
        pop di
        cmp byte [si], '.'
        jne .nm
        mov byte [di], '.'
        inc si
        cmp byte [si], '.'
        jne .dn
        mov byte [di+1], '.'
        inc si
        jmp short .dn
.nm:    mov cx, 8
        call .part
        cmp byte [si], '.'
        jne .dn
        inc si
        mov di, fcbname+8
        mov cx, 3
        call .part
.dn:    mov al, [si]
        test al, al
        jz .ok
        cmp al, '\'
        je .ok
        cmp al, '/'
        je .ok
        pop cx
        pop di
        stc
        ret
.ok:    pop cx
        pop di
        clc
        ret
.part:  mov al, [si]
        test al, al
        jz .pe
        cmp al, '.'
        je .pe
        cmp al, '\'
        je .pe
        cmp al, '/'
        je .pe
        cmp al, ' '
        jbe .bad
        inc si
        cmp al, '*'
        je .star
        cmp al, 'a'
        jb .st
        cmp al, 'z'
        ja .st
        sub al, 20h
.st:    jcxz .part              ; names longer than 8.3 are truncated, as DOS does
        mov [di], al
        inc di
        dec cx
        jmp .part
.star:  jcxz .part
        mov byte [di], '?'
        inc di
        loop .star
        jmp .part
.bad:   ; control characters end the name (e.g. CR)
.pe:    ret

; resolve: es:di = user path (asciiz) -> res_drv/res_dir/fcbname
;   with the last component in fcbname; CF with ax = 3 / 15
resolve:
        push bx
        push cx
        push dx
        ; copy into pathbuf
        push di
        mov si, pathbuf
        mov cx, 127
.cp:    mov al, [es:di]
        mov [si], al
        test al, al
        jz .cpd
        inc di
        inc si
        loop .cp
        mov byte [si], 0
.cpd:   pop di
        ; strip trailing spaces
        mov si, pathbuf
        mov al, [cur_drv]
        cmp byte [si+1], ':'
        jne .nodrv
        mov al, [si]
        or al, 20h
        sub al, 'a'
        add si, 2
.nodrv: mov [res_drvi], al
        push si
        call drv_ptr
        mov [res_drv], si
        pop bx
        jc .baddrv
        mov si, [res_drv]
        ; new cwd path build (for CD), starting point
        mov di, newcwd
        mov ax, [si+D_CWDCL]
        mov byte [res_abs], 0
        cmp byte [bx], '\'
        je .root
        cmp byte [bx], '/'
        jne .rel
.root:  inc bx
        xor ax, ax
        mov byte [res_abs], 1
        mov byte [di], 0
        jmp short .walk
.rel:   push ax
        push si
        lea si, [si+D_CWD]
.cc:    lodsb
        mov [di], al
        inc di
        test al, al
        jnz .cc
        dec di
        pop si
        pop ax
.walk:  ; ax = current dir cluster, bx = rest of the path
        mov [res_dir], ax
        push si
        mov si, bx
        call to_fcb
        mov bx, si
        pop si
        jc .badp
        cmp byte [bx], 0
        je .last
        ; more components follow: this one must be a directory
        inc bx
        cmp byte [fcbname], ' '
        je .walk                ; empty component ("A:\\X" or trailing)
        call lookup_dir
        jc .badp
        jmp .walk
.last:  pop dx
        pop cx
        pop bx
        clc
        ret
.baddrv:
        mov ax, 15
        jmp short .ret
.badp:  mov ax, 3
.ret:   pop dx
        pop cx
        pop bx
        stc
        ret

; lookup_dir: fcbname names a directory inside res_dir -> ax = its cluster,
; appends to newcwd
lookup_dir:
        mov ax, [res_dir]
        cmp word [fcbname], '. '
        je .dot
        cmp word [fcbname], '..'
        jne .find
        test ax, ax
        jz .bad
        ; strip the last component of newcwd
        push di
.bk:    cmp di, newcwd
        je .bkd
        dec di
        cmp byte [di], '\'
        jne .bk
.bkd:   mov byte [di], 0
        mov ax, di
        pop di
        mov di, ax
        mov ax, [res_dir]
.find:  push di
        push bx
        mov dl, 08h
        call dir_find
        jc .nf
        test byte [di+11], 10h
        jz .nf
        mov ax, [di+26]
        pop bx
        pop di
        cmp word [fcbname], '..'
        je .ok
        ; append "\NAME.EXT" to newcwd
        cmp di, newcwd
        je .noslash
        mov byte [di], '\'
        inc di
.noslash:
        push ax
        push si
        mov si, fcbname
        call fcb_to_name
        pop si
        pop ax
        mov byte [di], 0
.ok:    clc
        ret
.dot:   clc
        ret
.nf:    pop bx
        pop di
.bad:   stc
        ret

; fcb_to_name: ds:si = 11-byte name -> es:di "NAME.EXT" (di advanced, no 0)
fcb_to_name:
        push cx
        push es
        push cs
        pop es
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
.d:     pop es
        pop cx
        ret

has_wild:                       ; ZF=0 if fcbname holds '?'
        push di
        push cx
        push es
        push cs
        pop es
        mov di, fcbname
        mov cx, 11
        mov al, '?'
        repne scasb
        pop es
        pop cx
        pop di
        ret                     ; ZF=1 found

; resolve_file: es:di path -> si drive, di entry (or CF ax=2/3), bx index
resolve_find:
        call resolve
        jc .r
        call has_wild
        je .nf
        cmp byte [fcbname], ' '
        je .nf
        mov ax, [res_dir]
        mov dl, 08h
        call dir_find
        jnc .r
.nf:    mov ax, 2
        stc
.r:     ret

; ---------------------------------------------------------------- date/time
bcd2bin:                        ; al bcd -> al binary
        push cx
        mov cl, al
        shr al, 4
        mov ch, 10
        mul ch
        and cl, 0Fh
        add al, cl
        pop cx
        ret

get_date:                       ; -> cx year, dh month, dl day
        mov ah, 4
        int 1Ah
        jc .def
        test dh, dh
        jz .def
        mov al, ch
        call bcd2bin
        mov bl, 100
        mul bl
        mov bx, ax
        mov al, cl
        call bcd2bin
        xor ah, ah
        add bx, ax
        mov al, dh
        call bcd2bin
        mov dh, al
        mov al, dl
        call bcd2bin
        mov dl, al
        mov cx, bx
        cmp cx, 1980
        jb .def
        ret
.def:   mov cx, 1980
        mov dx, 0101h
        ret

get_time:                       ; -> ch hour, cl min, dh sec, dl 0
        mov ah, 2
        int 1Ah
        jc .z
        mov al, ch
        call bcd2bin
        mov ch, al
        mov al, cl
        call bcd2bin
        mov cl, al
        mov al, dh
        call bcd2bin
        mov dh, al
        mov dl, 0
        ret
.z:     xor cx, cx
        xor dx, dx
        ret

; fat_stamp -> ax = time, dx = date (directory format)
fat_stamp:
        push bx
        push cx
        call get_date
        sub cx, 1980
        shl cx, 9
        movzx ax, dh
        shl ax, 5
        or cx, ax
        movzx ax, dl
        or cx, ax
        push cx
        call get_time
        movzx ax, ch
        shl ax, 11
        movzx bx, cl
        shl bx, 5
        or ax, bx
        movzx bx, dh
        shr bx, 1
        or ax, bx
        pop dx
        pop cx
        pop bx
        ret

f_2a:   call get_date
        mov [r_cx], cx
        mov [r_dx], dx
        ; day of week (Sakamoto)
        movzx bx, dh
        mov ax, cx
        cmp bx, 3
        jae .y
        dec ax
.y:     mov si, ax
        mov cx, ax
        shr cx, 2
        add si, cx
        push ax
        xor dx, dx
        mov cx, 100
        div cx
        sub si, ax
        pop ax
        xor dx, dx
        mov cx, 400
        div cx
        add si, ax
        movzx ax, byte [dow_t+bx-1]
        add si, ax
        movzx ax, byte [r_dx]
        add ax, si
        xor dx, dx
        mov cx, 7
        div cx
        mov [r_ax], dl
        clc
        ret
dow_t   db 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4
f_2b:
f_2d:   mov byte [r_ax], 0
        clc
        ret
f_2c:   call get_time
        mov [r_cx], cx
        mov [r_dx], dx
        clc
        ret

; ---------------------------------------------------------------- misc calls
f_0d:   clc
        ret
f_0e:   cmp dl, MAXDRV
        jae .x
        mov al, dl
        call drv_ptr
        jc .x
        mov [cur_drv], dl
.x:     mov byte [r_ax], 5      ; drives A: .. E: as DOS reports at least
        clc
        ret
f_19:   mov al, [cur_drv]
        mov [r_ax], al
        clc
        ret
f_1a:   mov ax, [r_ds]
        mov [dta], dx
        mov [dta+2], ax
        clc
        ret
f_2f:   mov ax, [dta]
        mov [r_bx], ax
        mov ax, [dta+2]
        mov [r_es], ax
        clc
        ret
f_25:   movzx bx, al
        shl bx, 2
        push es
        xor ax, ax
        mov es, ax
        mov ax, [r_ds]
        cli
        mov [es:bx], dx
        mov [es:bx+2], ax
        sti
        pop es
        clc
        ret
f_35:   movzx bx, al
        shl bx, 2
        push es
        xor ax, ax
        mov es, ax
        mov ax, [es:bx]
        mov [r_bx], ax
        mov ax, [es:bx+2]
        mov [r_es], ax
        pop es
        clc
        ret
f_2e:   mov [verify], al
        clc
        ret
f_54:   mov al, [verify]
        mov [r_ax], al
        clc
        ret
f_30:   mov word [r_ax], 0005h  ; DOS 5.00
        mov word [r_bx], 0FF00h ; OEM FFh
        mov word [r_cx], 0
        clc
        ret
f_33:   cmp al, 0
        jne .1
        mov dl, [break_flag]
        mov [r_dx], dl
        jmp short .ok
.1:     cmp al, 1
        jne .5
        and dl, 1
        mov [break_flag], dl
        jmp short .ok
.5:     cmp al, 5
        jne .6
        mov dl, [boot_drv]
        inc dl
        mov [r_dx], dl
        jmp short .ok
.6:     cmp al, 6
        jne .2
        mov word [r_bx], 0005h
        mov word [r_dx], 0
        jmp short .ok
.2:     cmp al, 2               ; get and set
        jne .bad
        mov al, [break_flag]
        and dl, 1
        mov [break_flag], dl
        mov [r_dx], al
.ok:    clc
        ret
.bad:   mov byte [r_ax], 0FFh
        clc
        ret
f_37:   cmp al, 0               ; switch character
        jne .1
        mov byte [r_dx], '/'
        mov byte [r_ax], 0
        clc
        ret
.1:     mov byte [r_ax], 0FFh
        clc
        ret
f_36:   mov al, dl
        test al, al
        jnz .d
        mov al, [cur_drv]
        inc al
.d:     dec al
        call drv_ptr
        jc .bad
        xor cx, cx              ; free clusters
        mov bx, 2
.l:     cmp bx, [si+D_MAXCL]
        ja .done
        mov ax, bx
        call fat_get
        jc .bad
        test ax, ax
        jnz .n
        inc cx
.n:     inc bx
        jmp .l
.done:  movzx ax, byte [si+D_SPC]
        mov [r_ax], ax
        mov [r_bx], cx
        mov word [r_cx], 512
        mov ax, [si+D_MAXCL]
        dec ax
        mov [r_dx], ax
        clc
        ret
.bad:   mov word [r_ax], 0FFFFh
        clc
        ret
f_50:   mov [cur_psp], bx
        clc
        ret
f_51:
f_62:   mov ax, [cur_psp]
        mov [r_bx], ax
        clc
        ret
f_52:   mov word [r_bx], lol
        mov word [r_es], KSEG
        clc
        ret
f_58:   cmp al, 0
        jne .1
        mov ax, [alloc_strat]
        mov [r_ax], ax
        clc
        ret
.1:     cmp al, 1
        jne .2
        mov [alloc_strat], bx
        clc
        ret
.2:     cmp al, 2               ; UMB link state: none
        jne .3
        mov byte [r_ax], 0
        clc
        ret
.3:     mov ax, 1
        stc
        ret
f_59:   mov ax, [last_err]
        mov [r_ax], ax
        mov word [r_bx], 0D01h
        mov byte [r_cx+1], 1
        clc
        ret
f_66:   cmp al, 1
        jne .s
        mov word [r_bx], 437
        mov word [r_dx], 437
.s:     clc
        ret
f_67:   clc                     ; handle count: 20 is all we keep
        ret
f_68:   clc                     ; commit: writes are write-through
        ret

; INT 21h 29h: parse a file name into an FCB (DS:SI -> ES:DI)
f_29:   push ds
        mov es, [r_es]
        mov ds, [r_ds]
        mov bl, al
        mov dl, 0               ; result code
        test bl, 1
        jz .s1
.sk:    lodsb                   ; skip leading separators
        cmp al, ' '
        je .sk
        cmp al, 9
        je .sk
        cmp al, ','
        je .sk
        cmp al, ';'
        je .sk
        cmp al, '='
        je .sk
        cmp al, '+'
        je .sk
        dec si
.s1:    ; drive
        cmp byte [si+1], ':'
        jne .nod
        mov al, [si]
        or al, 20h
        sub al, 'a'-1
        mov [es:di], al
        add si, 2
        jmp short .nm
.nod:   test bl, 2
        jnz .nm
        mov byte [es:di], 0
.nm:    push di
        inc di
        mov cx, 8
        test bl, 4
        call .fld
        cmp byte [si], '.'
        jne .ne
        inc si
        mov cx, 3
        call .fld
        jmp short .fin
.ne:    test bl, 8
        jnz .fin
        mov cx, 3
.bl:    mov byte [es:di], ' '
        inc di
        loop .bl
.fin:   pop di
        pop ds
        mov [r_si], si
        mov [r_ax], dl
        clc
        ret
.fld:   ; copy up to cx chars, '*' fills '?', pad with blanks
.fl:    mov al, [si]
        cmp al, '*'
        je .star
        cmp al, ' '
        jbe .pad
        cmp al, '.'
        je .pad
        cmp al, '\'
        je .pad
        cmp al, '/'
        je .pad
        cmp al, ':'
        je .pad
        cmp al, ','
        je .pad
        cmp al, ';'
        je .pad
        cmp al, '='
        je .pad
        cmp al, '+'
        je .pad
        jcxz .skp
        cmp al, 'a'
        jb .up
        cmp al, 'z'
        ja .up
        sub al, 20h
.up:    cmp al, '?'
        jne .nq
        mov dl, 1
.nq:    stosb
        dec cx
.skp:   inc si
        jmp .fl
.star:  inc si
        mov dl, 1
.st:    jcxz .fl
        mov al, '?'
        stosb
        loop .st
        jmp .fl
.pad:   jcxz .r
        mov al, ' '
        rep stosb
.r:     ret

; ---------------------------------------------------------------- handles
; jft: bx = handle -> es:di = JFT slot, CF if bad handle
jft_slot:
        push ax
        mov es, [cur_psp]
        cmp bx, [es:32h]
        jae .bad
        les di, [es:34h]
        add di, bx
        pop ax
        clc
        ret
.bad:   pop ax
        stc
        ret

; hsft: bx = handle -> bx = SFT entry pointer, CF ax=6
hsft:
        push es
        push di
        call jft_slot
        jc .bad
        movzx bx, byte [es:di]
        cmp bl, NSFT
        jae .bad
        imul bx, F_SSIZE
        add bx, sft
        cmp byte [bx+F_REF], 0
        je .bad
        pop di
        pop es
        clc
        ret
.bad:   pop di
        pop es
        mov ax, 6
        stc
        ret

; sft_new -> bx = free SFT entry (zeroed, ref 1), CF ax=4
sft_new:
        mov bx, sft
        mov cx, NSFT
.l:     cmp byte [bx+F_REF], 0
        je .f
        add bx, F_SSIZE
        loop .l
        mov ax, 4
        stc
        ret
.f:     push di
        push es
        push cs
        pop es
        mov di, bx
        mov cx, F_SSIZE
        xor al, al
        rep stosb
        pop es
        pop di
        mov byte [bx+F_REF], 1
        mov word [bx+F_CURIX], 0FFFFh
        clc
        ret

; jft_new: bx = SFT entry -> ax = new handle in the current PSP, CF ax=4
jft_new:
        push cx
        push di
        push es
        mov es, [cur_psp]
        mov cx, [es:32h]
        les di, [es:34h]
        xor ax, ax
.l:     cmp byte [es:di], 0FFh
        je .f
        inc di
        inc ax
        loop .l
        pop es
        pop di
        pop cx
        mov ax, 4
        stc
        ret
.f:     push ax
        mov ax, bx
        sub ax, sft
        mov cl, F_SSIZE
        div cl
        mov [es:di], al
        pop ax
        pop es
        pop di
        pop cx
        clc
        ret

; dev_check: fcbname names a device? -> al = device id, ZF=1 when it does
dev_check:
        push si
        push di
        push cx
        push es
        push cs
        pop es
        mov si, devnames
        mov dx, dev_ids
.l:     cmp si, dev_ids-8+8
        jae .no
        mov di, fcbname
        mov cx, 8
        push si
        repe cmpsb
        pop si
        je .yes
        add si, 8
        inc dx
        jmp .l
.yes:   mov bx, dx
        mov al, [bx]
        cmp al, al
        jmp short .r
.no:    or al, 1
.r:     pop es
        pop cx
        pop di
        pop si
        ret

; open_common: es:di path, al = mode -> bx = SFT (ref 1), CF ax=error
open_sft:
        mov [open_mode], al
        call resolve
        jc .r
        call has_wild
        je .nf
        call dev_check
        jne .file
        push ax
        call sft_new
        pop dx
        jc .r
        mov byte [bx+F_DRV], 0FFh
        mov [bx+F_DEV], dl
        mov al, [open_mode]
        mov [bx+F_MODE], al
        clc
.r:     ret
.nf:    mov ax, 2
        stc
        ret
.file:  cmp byte [fcbname], ' '
        je .nf
        mov ax, [res_dir]
        mov dl, 18h
        call dir_find
        jnc .found
        ; a directory name gives "access denied"
        mov ax, [res_dir]
        mov dl, 08h
        call dir_find
        jc .nf
        mov ax, 5
        stc
        ret
.found: test byte [di+11], 1
        jz .rw
        test byte [open_mode], 3
        jz .rw
        mov ax, 5
        stc
        ret
.rw:    push di
        call sft_new
        pop di
        jc .r
sft_fill:                       ; fill bx from directory entry di
        mov al, [res_drvi]
        mov [bx+F_DRV], al
        mov al, [open_mode]
        mov [bx+F_MODE], al
        mov al, [di+11]
        mov [bx+F_ATTR], al
        mov ax, [di+26]
        mov [bx+F_CLUS], ax
        mov eax, [di+28]
        mov [bx+F_SIZE], eax
        mov ax, [di+22]
        mov [bx+F_TIME], ax
        mov ax, [di+24]
        mov [bx+F_DATE], ax
        mov eax, [ent_lba]
        mov [bx+F_DIRLBA], eax
        mov ax, [ent_off]
        mov [bx+F_DIROFF], ax
        clc
        ret
open_mode db 0

f_3d:   call get_dsdx
        call open_sft
        jc handle_for.r
handle_for:                     ; give SFT bx a handle in the current JFT
        call jft_new
        jc .fail
        mov [r_ax], ax
        clc
.r:     ret
.fail:  mov byte [bx+F_REF], 0
        stc
        ret

; create: es:di path, cx attr, al=1 fail if exists -> bx SFT
create_sft:
        mov [cr_excl], al
        mov [cr_attr], cl
        mov byte [open_mode], 2
        call resolve
        jc .r
        call has_wild
        je .nf3
        cmp byte [fcbname], ' '
        je .nf3
        call dev_check
        je .dev
        mov ax, [res_dir]
        mov dl, 08h
        call dir_find
        jc .new
        cmp byte [cr_excl], 0
        jne .exists
        test byte [di+11], 19h
        jnz .acc
        ; truncate the existing file
        mov ax, [di+26]
        push si
        push di
        call fat_free_chain
        pop di
        pop si
        call ent_get
        mov word [di+26], 0
        mov dword [di+28], 0
        mov al, [cr_attr]
        and al, 27h
        mov [di+11], al
        jmp short .stamp
.new:   mov ax, [res_dir]
        call dir_free_slot
        jc .acc
        mov eax, [ent_lba]
        mov [ent_lba], eax
        push si
        mov si, fcbname
        push es
        push cs
        pop es
        mov cx, 11
        push di
        rep movsb
        pop di
        pop es
        pop si
        mov al, [cr_attr]
        and al, 27h
        mov [di+11], al
        mov dword [di+12], 0
        mov dword [di+16], 0
        mov word [di+20], 0
        mov word [di+26], 0
        mov dword [di+28], 0
.stamp: push di
        call fat_stamp
        pop di
        mov [di+22], ax
        mov [di+24], dx
        call ent_put
        jc .io
        push di
        call sft_new
        pop di
        jc .r
        jmp sft_fill
.dev:   push ax
        call sft_new
        pop dx
        jc .r
        mov byte [bx+F_DRV], 0FFh
        mov [bx+F_DEV], dl
        mov byte [bx+F_MODE], 2
        clc
.r:     ret
.nf3:   mov ax, 3
        stc
        ret
.acc:   mov ax, 5
        stc
        ret
.io:    mov ax, 1Dh
        stc
        ret
.exists: mov ax, 50h
        stc
        ret
cr_excl db 0
cr_attr db 0

f_3c:   call get_dsdx
        mov al, 0
        call create_sft
        jc handle_for.r
        jmp handle_for
f_5b:   call get_dsdx
        mov al, 1
        call create_sft
        jc handle_for.r
        jmp handle_for

; close SFT bx (one reference)
sft_close:
        dec byte [bx+F_REF]
        jnz .r
        cmp byte [bx+F_DRV], 0FFh
        je .r
        test byte [bx+F_DIRTY], 1
        jz .r
        mov al, [bx+F_DRV]
        call drv_ptr
        jc .r
        mov eax, [bx+F_DIRLBA]
        mov [ent_lba], eax
        mov ax, [bx+F_DIROFF]
        mov [ent_off], ax
        call ent_get
        jc .r
        mov ax, [bx+F_CLUS]
        mov [di+26], ax
        mov eax, [bx+F_SIZE]
        mov [di+28], eax
        mov ax, [bx+F_TIME]
        mov [di+22], ax
        mov ax, [bx+F_DATE]
        mov [di+24], ax
        or byte [di+11], 20h    ; archive
        call ent_put
.r:     clc
        ret

f_3e:   call hsft
        jc .r
        call sft_close
        mov bx, [r_bx]
        call jft_slot
        mov byte [es:di], 0FFh
        clc
.r:     ret

f_45:   call hsft
        jc .r
        inc byte [bx+F_REF]
        call jft_new
        jc .f
        mov [r_ax], ax
        clc
.r:     ret
.f:     dec byte [bx+F_REF]
        stc
        ret
f_46:   call hsft
        jc .r
        push bx
        mov bx, cx
        call jft_slot
        pop bx
        jc .bad
        cmp byte [es:di], 0FFh
        je .nc
        push bx
        push di
        push es
        mov bx, cx
        call hsft
        jc .nc0
        call sft_close
.nc0:   pop es
        pop di
        pop bx
.nc:    inc byte [bx+F_REF]
        mov ax, bx
        sub ax, sft
        mov cl, F_SSIZE
        div cl
        mov [es:di], al
        clc
.r:     ret
.bad:   mov ax, 6
        stc
        ret

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

; f_3f: read from handle
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
.c:     mov [rd_left], ecx
        mov word [rd_done], 0
        mov ax, [r_dx]
        mov [rd_buf], ax
        mov ax, [r_ds]
        mov [rd_buf+2], ax
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
        add [bx+F_POS], ecx
        sub [rd_left], ecx
        add [rd_done], cx
        ; advance the buffer pointer (normalize)
        movzx eax, word [rd_buf]
        add eax, ecx
        mov edx, eax
        shr edx, 4
        and ax, 15
        mov [rd_buf], ax
        add [rd_buf+2], dx
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

; f_40: write to handle
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
        mov [rd_left], ecx
        mov ax, [r_dx]
        mov [rd_buf], ax
        mov ax, [r_ds]
        mov [rd_buf+2], ax
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
.adv:   add [bx+F_POS], ecx
        sub [rd_left], ecx
        add [rd_done], cx
        movzx eax, word [rd_buf]
        add eax, ecx
        mov edx, eax
        shr edx, 4
        and ax, 15
        mov [rd_buf], ax
        add [rd_buf+2], dx
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

; f_42: lseek
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

; f_57: file date/time
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

; f_44: IOCTL
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

bl_drive:                       ; al = 0 default, 1 = A: ... -> si
        test al, al
        jnz .d
        mov al, [cur_drv]
        inc al
.d:     dec al
        call drv_ptr
        jnc .r
        mov ax, 0Fh
.r:     ret

; ---------------------------------------------------------------- dir calls
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
        push si
        mov si, fcbname
        push es
        push cs
        pop es
        mov cx, 11
        rep movsb
        pop es
        pop si
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

; ---------------------------------------------------------------- memory
; MCB: 0 'M'/'Z', 1 owner, 3 size, 8 name
; mcb_merge: es = free MCB: absorb the free blocks that follow
mcb_merge:
        push ax
        push bx
.l:     cmp byte [es:0], 'Z'
        je .d
        mov ax, es
        add ax, [es:3]
        inc ax
        push es
        mov es, ax
        mov bl, [es:0]
        cmp word [es:1], 0
        pop es
        jne .d
        cmp bl, 'M'
        je .j
        cmp bl, 'Z'
        jne .d
.j:     mov [es:0], bl
        push ds
        mov ds, ax
        mov ax, [3]
        pop ds
        inc ax
        add [es:3], ax
        jmp .l
.d:     pop bx
        pop ax
        ret

; mem_alloc: bx = paragraphs -> ax = segment, CF ax=8 bx=largest / ax=7
mem_alloc:
        mov ax, [first_mcb]
        xor dx, dx              ; largest
        mov [ma_best], word 0
.l:     mov es, ax
        mov cl, [es:0]
        cmp cl, 'M'
        je .v
        cmp cl, 'Z'
        jne .bad
.v:     cmp word [es:1], 0
        jne .n
        call mcb_merge
        mov cx, [es:3]
        cmp cx, dx
        jbe .nl
        mov dx, cx
.nl:    cmp cx, bx
        jb .n
        ; fits: first fit, or last fit for strategy 2
        mov [ma_best], es
        test byte [alloc_strat], 2
        jz .take
.n:     cmp byte [es:0], 'Z'
        je .end
        mov ax, es
        add ax, [es:3]
        inc ax
        jmp .l
.end:   mov ax, [ma_best]
        test ax, ax
        jz .none
        mov es, ax
.take:  ; split es into bx + rest
        mov cx, [es:3]
        sub cx, bx
        jz .own
        dec cx
        mov ax, es
        add ax, bx
        inc ax
        push ds
        mov ds, ax
        mov dl, [es:0]
        mov [0], dl
        mov word [1], 0
        mov [3], cx
        pop ds
        mov byte [es:0], 'M'
        mov [es:3], bx
.own:   mov ax, [cur_psp]
        test ax, ax
        jnz .o
        mov ax, 8
.o:     mov [es:1], ax
        mov ax, es
        inc ax
        clc
        ret
.none:  mov bx, dx
        mov ax, 8
        stc
        ret
.bad:   mov ax, 7
        stc
        ret
ma_best dw 0

f_48:   call mem_alloc
        jc .e
        mov [r_ax], ax
        ret
.e:     cmp ax, 8
        jne .x
        mov [r_bx], bx
.x:     stc
        ret

mcb_check:                      ; es = block segment -> es = MCB, CF ax=9
        mov ax, es
        dec ax
        mov es, ax
        cmp byte [es:0], 'M'
        je .ok
        cmp byte [es:0], 'Z'
        je .ok
        mov ax, 9
        stc
        ret
.ok:    clc
        ret

f_49:   mov es, [r_es]
        call mcb_check
        jc .r
        mov word [es:1], 0
.r:     ret

f_4a:   mov es, [r_es]
        call mcb_check
        jc .r
        call mem_resize
        jnc .r
        cmp ax, 8
        jne .r
        mov [r_bx], bx
        stc
.r:     ret

; mem_resize: es = MCB, bx = new size -> CF ax=8 bx=max
mem_resize:
        mov ax, [es:1]
        push ax
        mov word [es:1], 0
        call mcb_merge
        pop ax
        mov [es:1], ax
        mov cx, [es:3]
        cmp bx, cx
        ja .grow
        je .ok
        ; shrink: the rest becomes a free block
        sub cx, bx
        dec cx
        mov ax, es
        add ax, bx
        inc ax
        push ds
        mov ds, ax
        mov dl, [es:0]
        mov [0], dl
        mov word [1], 0
        mov [3], cx
        pop ds
        mov byte [es:0], 'M'
        mov [es:3], bx
        ; merge the new free block with a free successor
        push es
        mov es, ax
        call mcb_merge
        pop es
.ok:    clc
        ret
.grow:  mov bx, cx
        mov ax, 8
        stc
        ret

; free every block owned by PSP ax
mem_free_owner:
        push es
        mov bx, [first_mcb]
.l:     mov es, bx
        cmp [es:1], ax
        jne .n
        mov word [es:1], 0
.n:     cmp byte [es:0], 'Z'
        je .d
        cmp byte [es:0], 'M'
        jne .d
        add bx, [es:3]
        inc bx
        jmp .l
.d:     pop es
        ret

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
        call get_dsdx
        mov al, 0
        call open_sft
        jc .r
        cmp byte [bx+F_DRV], 0FFh
        je .dev
        mov [ex_sft], bx
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
.dev:   mov byte [bx+F_REF], 0
        mov ax, 2
        stc
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

; EXEC AL=3: load an overlay (ES:BX -> load segment, relocation factor);
; no PSP, no environment, nothing runs
ov_seg  dw 0
ov_fac  dw 0
exec_overlay:
        push ds
        mov si, [r_bx]
        mov ds, [r_es]
        lodsw
        mov [cs:ov_seg], ax
        lodsw
        mov [cs:ov_fac], ax
        pop ds
        call get_dsdx
        mov al, 0
        call open_sft
        jc .r
        cmp byte [bx+F_DRV], 0FFh
        je .nf
        mov [ex_sft], bx
        push dword [r_ax]
        push dword [r_cx]
        push word [r_ds]
        push cs
        pop es
        mov di, ex_hdr
        mov cx, 1Ch
        call ex_read
        xor ecx, ecx            ; file offset of the image
        mov bx, [ex_sft]
        mov eax, [bx+F_SIZE]
        cmp word [r_ax], 2
        jb .img
        cmp word [ex_hdr], 'MZ'
        je .exe
        cmp word [ex_hdr], 'ZM'
        jne .img
.exe:   movzx eax, word [ex_hdr+4]
        shl eax, 9
        movzx ecx, word [ex_hdr+2]
        test cx, cx
        jz .e1
        sub eax, 512
        add eax, ecx
.e1:    movzx ecx, word [ex_hdr+8]
        shl ecx, 4
        sub eax, ecx
        jbe .bad
.img:   mov [ex_img], eax
        mov eax, ecx
        call ex_seek
        mov ax, [ov_seg]
        mov [ex_load], ax
.rdl:   mov ecx, [ex_img]
        jecxz .rdd
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
        jmp .rdl
.rdd:   cmp word [ex_hdr], 'MZ'
        je .rel
        cmp word [ex_hdr], 'ZM'
        jne .done
.rel:   movzx eax, word [ex_hdr+18h]
        call ex_seek
        mov dx, [ex_hdr+6]
.rl:    test dx, dx
        jz .done
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
        add ax, [ov_seg]
        mov es, ax
        mov di, [si]
        mov ax, [ov_fac]
        add [es:di], ax
        add si, 4
        loop .rp
        jmp .rl
.done:  mov bx, [ex_sft]
        call sft_close
        pop word [r_ds]
        pop dword [r_cx]
        pop dword [r_ax]
        clc
.r:     ret
.bad:   mov bx, [ex_sft]
        call sft_close
        pop word [r_ds]
        pop dword [r_cx]
        pop dword [r_ax]
        mov ax, 0Bh
        stc
        ret
.nf:    mov byte [bx+F_REF], 0
        mov ax, 2
        stc
        ret

; exec_load: build environment, PSP and image.  CF ax = error
exec_load:
        ; read the header
        push cs
        pop es
        mov di, ex_hdr
        mov cx, 1Ch
        call ex_read
        mov [ex_hdrlen], ax
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
        cmp word [ex_hdrlen], 2
        jb .com
        mov ax, word [ex_hdr]
        cmp ax, 'MZ'
        je .exe
        cmp ax, 'ZM'
        je .exe
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
.exe:   ; image size = pages * 512 - header
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
        jbe .bad
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
.rdl:   mov ecx, [ex_img]
        jecxz .rdd
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
        jmp .rdl
.rdd:   ; relocations
        mov ax, [ex_psp]
        add ax, 10h
        mov [ex_load], ax
        movzx eax, word [ex_hdr+18h]
        call ex_seek
        mov dx, [ex_hdr+6]      ; count
.rl:    test dx, dx
        jz .rld
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
        mov bx, [ex_load]
.rp:    mov ax, [si+2]
        add ax, bx
        mov es, ax
        mov di, [si]
        add [es:di], bx
        add si, 4
        loop .rp
        jmp .rl
.rld:   mov ax, [ex_load]
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
ex_hdrlen dw 0
ex_envlen dw 0
ex_srcenv dw 0
ex_load dw 0
bx_dummy dd 0
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

; EXEC AL=1: loaded, not started.  The child's PSP becomes current and
; the caller's parameter block gets SS:SP (+0Eh) and CS:IP (+12h).
ex_mode db 0
exec_nogo:
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

; ---------------------------------------------------------------- terminate
f_term0:
        xor al, al
f_4c:   mov ah, 0
        jmp short terminate
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

f_4d:   mov ax, [ret_code]
        mov [r_ax], ax
        mov word [ret_code], 0
        clc
        ret

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

; ---------------------------------------------------------------- init
; (placed last; its code is not reused)
bpb_copy times 62 db 0

; setup a drive entry from a BPB at ds:bx (kernel copy), al = BIOS drive
drive_from_bpb:                 ; si = drive entry
        mov [si+D_BIOS], al
        mov al, [bx+0Dh]
        mov [si+D_SPC], al
        mov al, [bx+10h]
        mov [si+D_NFATS], al
        mov ax, [bx+0Eh]
        mov [si+D_RSVD], ax
        mov ax, [bx+16h]
        mov [si+D_FATSZ], ax
        mov ax, [bx+11h]
        mov [si+D_ROOTENT], ax
        mov ax, [bx+18h]
        mov [si+D_SPT], ax
        mov ax, [bx+1Ah]
        mov [si+D_HEADS], ax
        mov eax, [bx+1Ch]
        mov [si+D_HIDDEN], eax
        movzx eax, word [si+D_FATSZ]
        movzx ecx, byte [si+D_NFATS]
        imul eax, ecx
        movzx ecx, word [si+D_RSVD]
        add eax, ecx
        mov [si+D_ROOT], eax
        movzx ecx, word [si+D_ROOTENT]
        add ecx, 15
        shr ecx, 4
        add eax, ecx
        mov [si+D_DATA], eax
        movzx edx, word [bx+13h]
        test dx, dx
        jnz .t
        mov edx, [bx+20h]
.t:     sub edx, eax
        mov eax, edx
        xor edx, edx
        movzx ecx, byte [si+D_SPC]
        test cx, cx
        jz .bad
        div ecx
        cmp eax, 4085
        setae byte [si+D_FAT16]
        inc eax
        cmp eax, 0FFF6h
        jbe .m
        mov eax, 0FFF6h
.m:     mov [si+D_MAXCL], ax
        mov word [si+D_CWDCL], 0
        mov byte [si+D_CWD], 0
        mov byte [si+D_VALID], 1
.bad:   ret

init:
        cli
        mov ax, KSEG
        mov ss, ax
        mov sp, kstack_top
        mov ds, ax
        mov es, ax
        sti
        cld
        mov [bootdl], dl
        ; keep a copy of the boot BPB before anything overwrites 7C00h
        push ds
        xor ax, ax
        mov ds, ax
        mov si, 7C00h
        mov di, bpb_copy
        mov cx, 62
        rep movsb
        pop ds
        ; clear the uninitialised data
        mov di, bss_start
        mov cx, bss_end - bss_start
        xor al, al
        rep stosb
        ; interrupt vectors
        push es
        xor ax, ax
        mov es, ax
        mov si, vec_list
.v:     lodsb
        cmp al, 0FFh
        je .vd
        movzx di, al
        shl di, 2
        movsw
        mov word [es:di], KSEG
        jmp .v
.vd:    pop es
        ; COM1 115200 8N1 (v86 ignores the rate)
        mov dx, 3FBh
        mov al, 80h
        out dx, al
        mov dx, 3F8h
        mov al, 1
        out dx, al
        inc dx
        mov al, 0
        out dx, al
        mov dx, 3FBh
        mov al, 3
        out dx, al
        mov dx, 3F9h
        mov al, 0
        out dx, al
        mov dx, 3FAh
        mov al, 7
        out dx, al
        mov dx, 3FCh
        mov al, 3
        out dx, al
        ; SeaBIOS's serial console (QEMU -nographic) hooks INT 10h from
        ; segment F000h and already mirrors the screen to COM1
        push es
        xor ax, ax
        mov es, ax
        cmp word [es:10h*4+2], 0F000h
        pop es
        jne .sc
        mov byte [serial_on], 0
.sc:
        ; standard device handles in the SFT: 0 CON, 1 AUX, 2 PRN
        mov byte [sft+F_REF], 1
        mov byte [sft+F_DRV], 0FFh
        mov byte [sft+F_DEV], 1
        mov byte [sft+F_MODE], 2
        mov byte [sft+F_SSIZE+F_REF], 1
        mov byte [sft+F_SSIZE+F_DRV], 0FFh
        mov byte [sft+F_SSIZE+F_DEV], 2
        mov byte [sft+F_SSIZE+F_MODE], 2
        mov byte [sft+2*F_SSIZE+F_REF], 1
        mov byte [sft+2*F_SSIZE+F_DRV], 0FFh
        mov byte [sft+2*F_SSIZE+F_DEV], 3
        mov byte [sft+2*F_SSIZE+F_MODE], 2
        ; drives
        mov dl, [bootdl]
        cmp dl, 80h
        jae .hdboot
        mov si, drives
        mov bx, bpb_copy
        mov al, dl
        call drive_from_bpb
        mov byte [boot_drv], 0
        jmp short .cdrv
.hdboot:
        mov byte [boot_drv], 2
        call floppy_probe
.cdrv:  call hd_probe
        mov word [trk_drv], 0   ; tracks read while probing used default geometry
        mov al, [boot_drv]
        mov [cur_drv], al
        ; CONFIG.SYS: SERIAL=OFF turns off the COM1 copy
        call read_config
        mov si, banner
        call con_puts
        ; memory arena
        mov ax, bss_end+15
        shr ax, 4
        add ax, KSEG
        mov [first_mcb], ax
        mov [lol_mcb], ax
        int 12h
        shl ax, 6
        mov [mem_top], ax
        mov es, [first_mcb]
        mov byte [es:0], 'Z'
        mov word [es:1], 0
        sub ax, [first_mcb]
        dec ax
        mov [es:3], ax
        ; the master environment
        mov bx, 16              ; 256 bytes
        call mem_alloc
        mov [kernel_env], ax
        mov es, ax
        xor di, di
        mov si, env_cs
        mov cx, env_end - env_cs
        rep movsb
        mov al, [boot_drv]
        add al, 'A'
        mov [es:8], al
        mov [es:env_path - env_cs + 5], al
start_shell:
        push cs
        pop ds
        mov word [cur_psp], 0
        mov al, [boot_drv]
        add al, 'A'
        mov [shell_path], al
        ; EXEC the shell with tail "/P"
        mov word [ex_pb], 0
        mov word [ex_pb+2], shell_tail
        mov [ex_pb+4], cs
        mov dword [ex_pb+6], 0
        mov dword [ex_pb+10], 0
        push cs
        pop es
        mov di, shell_path
        mov al, 0
        call open_sft
        jc .noshell
        mov [ex_sft], bx
        mov si, shell_path
        mov di, ex_path
        mov cx, 20
        rep movsb
        mov word [r_ip], int22
        mov word [r_cs], KSEG
        call exec_load
        jc .noshell
        jmp exec_go
.noshell:
        push ax
        mov si, msg_nocmd
        call con_puts
        pop ax
        call hex16
.halt:  sti
        hlt
        jmp .halt

shell_path db 'A:\COMMAND.COM', 0, 0, 0, 0, 0, 0
shell_tail db 3, ' /P', 0Dh
env_cs  db 'COMSPEC=A:\COMMAND.COM', 0
env_path db 'PATH=A:\', 0, 0
env_end:
bootdl  db 0

vec_list:
        db 20h
        dw int20
        db 21h
        dw int21
        db 22h
        dw int22
        db 23h
        dw int23
        db 24h
        dw int24
        db 27h
        dw int27
        db 28h
        dw int28
        db 29h
        dw int29
        db 2Fh
        dw int2f
        db 0FFh

; floppy_probe: booted from the hard disk; A: from the floppy's boot sector
floppy_probe:
        int 11h
        test al, 1
        jz .r
        mov si, drives
        mov byte [si+D_BIOS], 0
        mov word [si+D_SPT], 18
        mov word [si+D_HEADS], 2
        mov byte [io_cmd], 2
        push cs
        pop es
        mov bx, bounce
        xor eax, eax
        mov dword [si+D_HIDDEN], eax
        mov cx, 1
        call phys_io
        jc .r
        cmp word [bounce+510], 0AA55h
        jne .r
        cmp word [bounce+0Bh], 512
        jne .r
        mov bx, bounce
        mov al, 0
        call drive_from_bpb
.r:     ret

; hd_probe: C: = first primary FAT12/FAT16 partition of BIOS disk 80h
hd_probe:
        mov si, drives+2*D_SIZE
        mov ah, 8
        mov dl, 80h
        push es
        int 13h
        pop es
        jc .r
        test dl, dl
        jz .r
        and cx, 3Fh
        jz .r
        mov [si+D_SPT], cx
        movzx ax, dh
        inc ax
        mov [si+D_HEADS], ax
        mov byte [si+D_BIOS], 80h
        mov ah, 41h
        mov bx, 55AAh
        mov dl, 80h
        int 13h
        jc .chs
        cmp bx, 0AA55h
        jne .chs
        test cl, 1
        jz .chs
        mov byte [si+D_LBA], 1
.chs:   mov dword [si+D_HIDDEN], 0
        push cs
        pop es
        mov bx, bounce
        xor eax, eax
        mov cx, 1
        mov byte [io_cmd], 2
        call phys_io
        jc .r
        cmp word [bounce+510], 0AA55h
        jne .r
        mov di, bounce+1BEh
        mov cx, 4
.p:     mov al, [di+4]
        cmp al, 1
        je .f
        cmp al, 4
        je .f
        cmp al, 6
        je .f
        cmp al, 0Eh
        je .f
        add di, 16
        loop .p
        ret
.f:     mov eax, [di+8]
        mov [si+D_HIDDEN], eax
        push eax
        xor eax, eax
        mov bx, bounce
        mov cx, 1
        call phys_io
        pop eax
        jc .r
        cmp word [bounce+0Bh], 512
        jne .r
        ; the partition table's start wins over the BPB's hidden sectors,
        ; the BIOS geometry over the BPB's
        mov [bounce+1Ch], eax
        mov ax, [si+D_SPT]
        mov [bounce+18h], ax
        mov ax, [si+D_HEADS]
        mov [bounce+1Ah], ax
        mov bx, bounce
        mov al, [si+D_LBA]
        push ax
        mov al, 80h
        call drive_from_bpb
        pop ax
        mov [si+D_LBA], al
.r:     ret

; read_config: look for "SERIAL=OFF" in \CONFIG.SYS of the boot drive
cfg_name db 'A:\CONFIG.SYS', 0
read_config:
        mov al, [boot_drv]
        add al, 'A'
        mov [cfg_name], al
        mov word [cur_psp], 0
        push cs
        pop es
        mov di, cfg_name
        mov al, 0
        call open_sft
        jc .r
        mov [ex_sft], bx
        push cs
        pop es
        mov di, bounce
        mov cx, 511
        call ex_read
        mov bx, ax
        mov byte [bounce+bx], 0
        mov bx, [ex_sft]
        call sft_close
        mov si, bounce
.l:     lodsb
        test al, al
        jz .r
        and al, 0DFh
        cmp al, 'S'
        jne .l
        mov di, cfg_serial
        push si
.c:     mov al, [di]
        test al, al
        jz .hit
        mov ah, [si]
        cmp ah, 'a'
        jb .u
        sub ah, 20h
.u:     cmp ah, ' '
        jne .ns
        inc si
        jmp .c
.ns:    cmp al, ah
        jne .no
        inc si
        inc di
        jmp .c
.no:    pop si
        jmp .l
.hit:   pop si
        mov byte [serial_on], 0
.r:     ret
cfg_serial db 'ERIAL=OFF', 0

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
