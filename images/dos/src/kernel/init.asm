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
        ; COM1 115200 8N1 until CONFIG.SYS says otherwise (v86 and QEMU ignore the rate)
        mov bx, 1
        call set_baud
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
        ; CONFIG.SYS: SERIAL=OFF turns off the COM1 copy, SERIAL=<rate> sets its baud rate
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

; set_baud: COM1 at 115200/BX baud, 8N1
set_baud:
        mov dx, 3FBh
        mov al, 80h             ; DLAB: the next two ports are the divisor
        out dx, al
        mov dx, 3F8h
        mov al, bl
        out dx, al
        inc dx
        mov al, bh
        out dx, al
        mov dx, 3FBh
        mov al, 3
        out dx, al
        ret

; read_config: look for "SERIAL=OFF" or "SERIAL=<rate>" in \CONFIG.SYS of the boot drive
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
.hit:   pop ax                  ; SI: after the '='
        mov al, [si]
        and al, 0DFh
        cmp al, 'O'
        jne .num
        mov byte [serial_on], 0
        ret
        ; a rate that divides 115200 (the 8250's clock / 16); any other is ignored
.num:   xor ecx, ecx
.dig:   movzx eax, byte [si]
        sub al, '0'
        cmp al, 9
        ja .set
        imul ecx, ecx, 10
        add ecx, eax
        inc si
        jmp .dig
.set:   jecxz .r
        mov eax, 115200
        xor edx, edx
        div ecx
        test edx, edx
        jnz .r
        test eax, eax
        jz .r
        mov bx, ax
        call set_baud
.r:     ret
cfg_serial db 'ERIAL=', 0
