; LRDOS COMMAND.COM: runs AUTOEXEC.BAT, then the A:\> prompt.
; Uses only documented INT 21h services.
        bits 16
        cpu 386
        org 100h

STACK_SIZE equ 1024
ENV_SIZE   equ 1024

start:  jmp main

%include "command/data.asm"
%include "command/output.asm"
%include "command/strings.asm"
%include "common/shared.asm"
%include "command/env.asm"
%include "command/main.asm"
%include "command/batch.asm"
%include "command/parser.asm"
%include "command/batchcmd.asm"
%include "command/syscmd.asm"
%include "command/filecmd.asm"
%include "command/dircmd.asm"
%include "command/external.asm"
%include "command/buffers.asm"
