; EXEC (4Bh) of .COM and .EXE programs, return codes (4Ch/4Dh).
%include "testlib.inc"
        mov sp, 0FFFEh
        mov ah, 4Ah
        mov bx, 1000h
        int 21h
        ; CHILD.COM with a tail
        mov word [pb+2], tail1
        mov [pb+4], cs
        mov word [pb+6], fcb
        mov [pb+8], cs
        mov word [pb+10], fcb
        mov [pb+12], cs
        mov [save_sp], sp
        mov ax, 4B00h
        mov bx, pb
        mov dx, f_child
        int 21h
        cli
        mov bx, cs
        mov ss, bx
        mov sp, [cs:save_sp]
        sti
        mov ds, bx
        mov es, bx
        CHECK nc, '4Bh runs a .COM program'
        mov ah, 4Dh
        int 21h
        cmp ax, 002Ah
        CHECK e, '4Dh return code 42, normal termination'
        ; RELOC.EXE: relocations and registers at entry
        mov word [pb+2], tail0
        mov [save_sp], sp
        mov ax, 4B00h
        mov bx, pb
        mov dx, f_reloc
        int 21h
        cli
        mov bx, cs
        mov ss, bx
        mov sp, [cs:save_sp]
        sti
        mov ds, bx
        mov es, bx
        CHECK nc, '4Bh runs an .EXE program'
        mov ah, 4Dh
        int 21h
        cmp al, 7
        CHECK e, '4Dh return code of the .EXE'
        ; missing program
        mov ax, 4B00h
        mov bx, pb
        mov dx, f_none
        int 21h
        pushf
        cmp ax, 2
        CHECK e, '4Bh of a missing file gives error 2'
        popf
        ; a corrupt EXE header
        mov [save_sp], sp
        mov ax, 4B00h
        mov bx, pb
        mov dx, f_bad
        int 21h
        cli
        mov bx, cs
        mov ss, bx
        mov sp, [cs:save_sp]
        sti
        mov ds, bx
        mov es, bx
        CHECK c, '4Bh refuses a corrupt EXE header'
        ; memory is all back: the largest block is unchanged
        mov ah, 48h
        mov bx, 0FFFFh
        int 21h
        mov [big1], bx
        mov [save_sp], sp
        mov ax, 4B00h
        mov bx, pb
        mov dx, f_child
        mov word [pb+2], tail1
        int 21h
        cli
        mov bx, cs
        mov ss, bx
        mov sp, [cs:save_sp]
        sti
        mov ds, bx
        mov es, bx
        mov ah, 48h
        mov bx, 0FFFFh
        int 21h
        cmp bx, [big1]
        CHECK e, 'a terminated program leaves no memory allocated'
        ; AL=1: CHILD.COM loaded, not run
        mov word [pb+2], tail1
        mov ax, 4B01h
        mov bx, pb
        mov dx, f_child
        int 21h
        CHECK nc, '4B01h loads without running'
        cmp word [pb+12h], 100h
        CHECK e, '4B01h returns CS:IP with IP=100h for a .COM'
        mov ax, [pb+14h]
        cmp ax, [pb+10h]
        CHECK e, '4B01h returns SS = CS for a .COM'
        ; back to our own PSP; free what the loader allocated for the child
        mov ah, 50h
        mov bx, cs
        int 21h
        mov es, [pb+14h]        ; the program block
        mov ah, 49h
        int 21h
        mov es, [pb+14h]
        mov es, [es:2Ch]
        mov ah, 49h
        int 21h
        push cs
        pop es
        ; AL=3: RELOC.EXE as an overlay, relocated by a factor of our choice
        mov ah, 48h
        mov bx, 100h
        int 21h
        mov [ovl], ax
        mov [ovl+2], ax         ; relocation factor = load segment
        mov ax, 4B03h
        mov bx, ovl
        mov dx, f_reloc
        int 21h
        CHECK nc, '4B03h loads an overlay'
        mov es, [ovl]
        mov ax, [es:1]          ; the relocated immediate of "mov ax, 0"
        cmp ax, [ovl]
        CHECK e, '4B03h applies the relocation factor'
        mov ah, 49h
        int 21h
        push cs
        pop es
        PRINT 'DONE APIEXEC'
        EXIT 0
save_sp dw 0
big1    dw 0
ovl     dw 0, 0
pb      dw 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
tail1   db 6, ' HELLO', 13
tail0   db 0, 13
fcb     db 0, '           ', 0, 0, 0, 0
f_child db 'CHILD.COM', 0
f_reloc db 'RELOC.EXE', 0
f_none  db 'NOSUCH.COM', 0
f_bad   db 'BADEXE.EXE', 0
