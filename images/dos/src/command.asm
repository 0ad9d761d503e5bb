; LRDOS COMMAND.COM: runs AUTOEXEC.BAT, then the A:\> prompt.
; Uses only documented INT 21h services.
        bits 16
        cpu 386
        org 100h

STACK_SIZE equ 1024
ENV_SIZE   equ 1024

start:  jmp main

%include "command/data.inc"
%include "command/output.inc"
%include "command/strings.inc"
%include "command/env.inc"
%include "command/main.inc"
%include "command/batch.inc"
%include "command/parser.inc"
%include "command/batchcmd.inc"
%include "command/syscmd.inc"
%include "command/filecmd.inc"
%include "command/dircmd.inc"
%include "command/external.inc"
%include "command/buffers.inc"
