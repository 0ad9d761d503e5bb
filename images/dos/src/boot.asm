; LRDOS boot sector: FAT12 floppies (360 KB .. 2.88 MB) and FAT16 partitions.
; The formatter overwrites bytes 03h..3Dh with its BPB; every geometry value
; below is read from that BPB, the drive number from DL as the BIOS passes it.
; Loads LRDOS.SYS (found anywhere in the root directory, followed through the
; FAT chain) to 0070:0000 and jumps there with DL = boot drive and the BPB
; still at 0000:7C00.  Assumes BPB_BytsPerSec = 512 (all PC floppies and
; SeaBIOS disks).  CHS addressing from BPB_SecPerTrk/BPB_NumHeads plus
; BPB_HiddSec, so a partition's BPB must carry the BIOS geometry.
        bits 16
        cpu 386
        org 7C00h

BPB_SecPerClus  equ 0Dh
BPB_RsvdSecCnt  equ 0Eh
BPB_NumFATs     equ 10h
BPB_RootEntCnt  equ 11h
BPB_TotSec16    equ 13h
BPB_FATSz16     equ 16h
BPB_SecPerTrk   equ 18h
BPB_NumHeads    equ 1Ah
BPB_HiddSec     equ 1Ch
BPB_TotSec32    equ 20h
BS_DrvNum       equ 24h
; our variables live just below the sector (bp-relative)
V_ROOT  equ -4          ; first root directory sector (volume relative)
V_DATA  equ -8          ; first data sector
V_FAT16 equ -9          ; 1 when the volume has >= 4085 clusters
BUF     equ 7E00h       ; two sector buffer (root directory, FAT)
LOADSEG equ 0070h

        jmp short main
        nop
        ; default BPB: 1.44 MB floppy (replaced by the formatter)
        db 'LRDOS1.0'
        dw 512
        db 1
        dw 1
        db 2
        dw 224
        dw 2880
        db 0F0h
        dw 9
        dw 18
        dw 2
        dd 0
        dd 0
        db 0, 0, 29h
        dd 12345678h
        db 'NO NAME    '
        db 'FAT12   '

main:
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax              ; interrupts stay off for the next move
        mov sp, 7BF0h
        cld
        mov bp, 7C00h
        mov [bp+BS_DrvNum], dl
        ; root = reserved + NumFATs * FATSz16
        movzx eax, word [bp+BPB_FATSz16]
        movzx ecx, byte [bp+BPB_NumFATs]
        mul ecx
        movzx ecx, word [bp+BPB_RsvdSecCnt]
        add eax, ecx
        mov [bp+V_ROOT], eax
        mov cx, [bp+BPB_RootEntCnt]
        add cx, 15
        shr cx, 4               ; root directory sectors
        movzx ecx, cx
        add eax, ecx
        mov [bp+V_DATA], eax
        ; FAT16 when BS_FilSysType reads "FAT16   " (the formatter and
        ; mkfs.fat write it by the cluster-count rule)
        cmp byte [bp+3Ah], '6'
        sete [bp+V_FAT16]

        ; search the root directory (cx = its sectors)
        mov eax, [bp+V_ROOT]
.nextsec:
        mov bx, BUF
        call read1
        mov di, bx
        mov dx, 16
.ent:   cmp byte [di], 0
        je .missing
        push cx
        push di
        mov si, kname
        mov cx, 11
        repe cmpsb
        pop di
        pop cx
        je .found
        add di, 32
        dec dx
        jnz .ent
        inc eax
        loop .nextsec
.missing:
        mov si, msg_missing
        jmp fail

.found:
        mov ax, [di+26]         ; DIR_FstClusLO
        push word LOADSEG
        pop es
.clus:
        push ax
        movzx eax, ax
        sub eax, 2
        movzx ecx, byte [bp+BPB_SecPerClus]
        mul ecx
        add eax, [bp+V_DATA]
.rs:    xor bx, bx
        call read1
        inc eax
        mov bx, es
        add bx, 20h
        mov es, bx
        loop .rs
        pop si                  ; si = cluster just loaded
        push es
        xor ax, ax
        mov es, ax
        movzx eax, si
        movzx ecx, si
        cmp byte [bp+V_FAT16], 0
        jne .f16
        shr ecx, 1              ; FAT12: offset = n + n/2
        jmp short .foff
.f16:                           ; FAT16: offset = 2n
.foff:  add eax, ecx
        mov di, ax
        and di, 511
        shr eax, 9
        movzx ecx, word [bp+BPB_RsvdSecCnt]
        add eax, ecx
        mov bx, BUF
        call read1
        inc eax
        add bx, 512
        call read1
        mov ax, [BUF+di]
        pop es
        cmp byte [bp+V_FAT16], 0
        jne .e16
        test si, 1
        jz .even
        shr ax, 4
.even:  and ax, 0FFFh
        cmp ax, 0FF8h
        jb .clus
        jmp short .go
.e16:   cmp ax, 0FFF8h
        jb .clus
.go:    mov dl, [bp+BS_DrvNum]
        jmp LOADSEG:0

; read one sector: eax = volume-relative LBA, es:bx = buffer
read1:  pushad
        add eax, [bp+BPB_HiddSec]
        xor edx, edx
        movzx ecx, word [bp+BPB_SecPerTrk]
        div ecx
        inc dx
        mov cl, dl              ; sector
        xor edx, edx
        movzx edi, word [bp+BPB_NumHeads]
        div edi
        mov ch, al              ; cylinder low
        shl ah, 6
        or cl, ah               ; cylinder bits 8-9
        mov dh, dl              ; head
        mov dl, [bp+BS_DrvNum]
        mov di, 5
.retry: mov ax, 0201h
        int 13h
        jnc .ok
        xor ax, ax
        int 13h
        dec di
        jnz .retry
        mov si, msg_ioerr
        jmp fail
.ok:    popad
        ret

fail:   call puts
        mov si, msg_key
        call puts
        xor ax, ax
        int 16h
        int 19h

puts:   lodsb
        test al, al
        jz .ret
        mov dx, 3F8h            ; copy to COM1 for headless runs
        out dx, al
        mov ah, 0Eh
        mov bx, 7
        int 10h
        jmp puts
.ret:   ret

kname       db 'LRDOS   SYS'
msg_missing db 'LRDOS.SYS missing', 0
msg_ioerr   db 'Disk read error', 0
msg_key     db 0Dh, 0Ah, 'Press a key', 0

        times 510-($-$$) db 0
        dw 0AA55h
