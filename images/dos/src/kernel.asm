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

%include "kernel/data.asm"
%include "kernel/int21.asm"
%include "kernel/console.asm"
%include "kernel/disk.asm"
%include "kernel/fat.asm"
%include "kernel/dir.asm"
%include "kernel/path.asm"
%include "common/shared.asm"
%include "kernel/time.asm"
%include "kernel/misc.asm"
%include "kernel/handle.asm"
%include "kernel/handleio.asm"
%include "kernel/dircall.asm"
%include "kernel/memory.asm"
%include "kernel/exec.asm"
%include "kernel/term.asm"
%include "kernel/ints.asm"
%include "kernel/init.asm"
%include "kernel/bss.asm"
