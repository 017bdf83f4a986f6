# gdb commands for kernels built on cte (docs/DEBUGGING.md). Load with
#   (gdb) source <prefix>/share/cte/gdb/cte.py
# Commands:
#   cte context EXPR   a saved Context (a cte::Context * or the frame itself), decoded for its ISA,
#                      or a parked fast-switch thread (a cte::FastContext)
#   cte bt EXPR        the backtrace of the thread parked in that Context or FastContext, without
#                      resuming it
# Works on x86_64, riscv64 and aarch64, hosted (gdb, or gdb-multiarch on qemu-user's gdbstub)
# and on the boards (qemu-system's gdbstub). Needs the program's debug information (-g): the
# Frame's field names are read from it, so this file knows register names, not offsets.

import gdb

# Bits of LibraryWords::state (include/cte/library_words.hpp; tests/debug checks they agree).
STATE_INTERRUPTS_ENABLED = 1 << 0
STATE_ASYNCHRONOUS = 1 << 1
STATE_STACK_OVERFLOW = 1 << 2

RISCV_ABI_NAMES = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
                   "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
                   "t3", "t4", "t5", "t6"]
X86_64_REGISTERS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
                    "r12", "r13", "r14", "r15", "rip"]


def isa_of(frame_type):
    names = {field.name for field in frame_type.fields()}
    if "rip" in names:
        return "x86_64"
    if "esr" in names:
        return "aarch64"
    if "tval" in names:
        return "riscv64"
    raise gdb.GdbError("cte: %s is not a cte trap frame" % frame_type)


def frame_of(expression):
    """The Frame value EXPR denotes (a Context, a Frame, or a pointer to either), or the
    FastSwitchState of a FastContext."""
    value = gdb.parse_and_eval(expression)
    if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        value = value.dereference()
    names = {field.name for field in value.type.strip_typedefs().fields()}
    if "frame_" in names:  # cte::BasicContext: the Frame is its only member
        value = value["frame_"]
    elif "state" in names and "sanitizer" in names:  # cte::FastContext
        value = value["state"]
    return value


def is_fast_state(value):
    return "resume_address" in {field.name for field in value.type.strip_typedefs().fields()}


def fast_registers_of(state):
    """{gdb register name: value} of a parked fast-switch thread: its stack pointer, where it
    resumes, and the frame pointer (enough to unwind; other callee-saved registers stay)."""
    names = {field.name for field in state.type.strip_typedefs().fields()}
    sp, pc = word(state["sp"]), word(state["resume_address"])
    if sp == 0:
        raise gdb.GdbError("cte: this FastContext was never prepared (make_fast_context)")
    if "rbp" in names:
        return "x86_64", {"rsp": sp, "rip": pc, "rbp": word(state["rbp"]), "rbx": word(state["rbx"])}
    if "s0" in names:
        return "riscv64", {"sp": sp, "pc": pc, "s0": word(state["s0"])}
    return "aarch64", {"sp": sp, "pc": pc, "x29": word(state["x29"])}


def word(value):
    return int(value) & 0xFFFFFFFFFFFFFFFF


def registers_of(frame):
    """{gdb register name: value} for every register the frame holds."""
    isa = isa_of(frame.type.strip_typedefs())
    registers = {}
    if isa == "x86_64":
        for name in X86_64_REGISTERS:
            registers[name] = word(frame[name])
        registers["eflags"] = word(frame["rflags"])
    elif isa == "riscv64":
        for number in range(1, 32):
            registers[RISCV_ABI_NAMES[number]] = word(frame["x"][number])
        registers["pc"] = word(frame["pc"])
    else:
        for number in range(31):
            registers["x%d" % number] = word(frame["x"][number])
        registers["sp"] = word(frame["sp"])
        registers["pc"] = word(frame["pc"])
    return isa, registers


def hosted():
    try:
        gdb.parse_and_eval("&cte_hosted_interrupts_enabled")
        return True
    except gdb.error:
        return False


def interrupts_enabled(isa, frame):
    """The interrupt-enable state the thread resumes with, as the platform keeps it."""
    if hosted():
        return bool(word(frame["library"]["state"]) & STATE_INTERRUPTS_ENABLED)
    if isa == "x86_64":
        return bool(word(frame["rflags"]) & (1 << 9))  # RFLAGS.IF
    if isa == "aarch64":
        return not word(frame["pstate"]) & (1 << 7)  # SPSR.I masks IRQs
    status = word(frame["status"])
    machine = (status >> 11) & 3 == 3  # MPP = M: an M-mode kernel's frame
    return bool(status & (1 << 7 if machine else 1 << 5))  # MPIE / SPIE


def symbol_at(address):
    """function+offset (file:line) for code with debug information, else the ELF symbol."""
    block = gdb.block_for_pc(address)
    while block is not None and block.function is None:
        block = block.superblock
    if block is not None:
        function = block.function
        line = gdb.find_pc_line(address)
        where = " (%s:%d)" % (line.symtab.filename, line.line) if line.symtab else ""
        return "%s+%d%s" % (function.print_name, address - int(function.value().address), where)
    try:
        description = gdb.execute("info symbol 0x%x" % address, to_string=True).strip()
    except gdb.error:
        return "??"
    return "??" if description.startswith("No symbol") else description.split(" in section ")[0]


def cause_words(isa, frame):
    if isa == "x86_64":
        names = ["vector", "error_code", "fault_address", "payload"]
    elif isa == "riscv64":
        names = ["cause", "tval"] + (["irq_id"] if word(frame["irq_id_valid"]) else [])
    else:
        names = ["esr", "far", "trap_kind", "interrupt_id"]
    return ", ".join("%s=0x%x" % (name, word(frame[name])) for name in names)


class CteCommand(gdb.Command):
    """cte: commands for kernels built on cte (cte context EXPR, cte bt EXPR)."""

    def __init__(self):
        super().__init__("cte", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class CteContextCommand(gdb.Command):
    """cte context EXPR: print the saved Context EXPR (a cte::Context * or a Frame), decoded."""

    def __init__(self):
        super().__init__("cte context", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, argument, from_tty):
        if not argument:
            raise gdb.GdbError("usage: cte context EXPR")
        frame = frame_of(argument)
        if is_fast_state(frame):
            isa, registers = fast_registers_of(frame)
            pc = registers["rip" if isa == "x86_64" else "pc"]
            print("cte context %s (%s fast-switch thread)" % (argument, isa))
            print("  resumes at 0x%x  %s" % (pc, symbol_at(pc)))
            print("  sp         0x%x" % registers["rsp" if isa == "x86_64" else "sp"])
            return
        isa, registers = registers_of(frame)
        pc = registers["rip" if isa == "x86_64" else "pc"]
        sp = registers["rsp" if isa == "x86_64" else "sp"]
        state = word(frame["library"]["state"])
        kinds = []
        kinds.append("asynchronous (every register exact)" if state & STATE_ASYNCHRONOUS
                     else "voluntary (a call: callee-saved registers)")
        if state & STATE_STACK_OVERFLOW:
            kinds.append("stack overflow: cannot be resumed")
        print("cte context %s (%s)" % (argument, isa))
        print("  pc         0x%x  %s" % (pc, symbol_at(pc)))
        print("  sp         0x%x" % sp)
        if isa == "x86_64":
            syscall = ("rax", ["rdi", "rsi", "rdx", "r10", "r8", "r9"], "rax")
        elif isa == "riscv64":
            syscall = ("a7", ["a0", "a1", "a2", "a3", "a4", "a5"], "a0")
        else:
            syscall = ("x8", ["x0", "x1", "x2", "x3", "x4", "x5"], "x0")
        print("  syscall    number %s=0x%x  args %s" % (
            syscall[0], registers[syscall[0]],
            " ".join("%s=0x%x" % (name, registers[name]) for name in syscall[1])))
        print("  interrupts %s on resume" % ("enabled" if interrupts_enabled(isa, frame) else "disabled"))
        stack_start = word(frame["library"]["stack_start"])
        stack_end = word(frame["library"]["stack_end"])
        if stack_start:
            print("  stack      [0x%x, 0x%x)  %d bytes, %d in use" % (
                stack_start, stack_end, stack_end - stack_start, max(0, stack_end - sp)))
        else:
            print("  stack      not a kcontext thread's (unknown bounds)")
        print("  frame      %s" % "; ".join(kinds))
        print("  trap       %s" % cause_words(isa, frame))


class CteBacktraceCommand(gdb.Command):
    """cte bt EXPR: backtrace of the thread parked in the Context EXPR, without resuming it.

The selected thread's registers are replaced by the Context's for the backtrace and put
back afterwards; nothing runs in the program."""

    def __init__(self):
        super().__init__("cte bt", gdb.COMMAND_STACK, gdb.COMPLETE_EXPRESSION)

    def invoke(self, argument, from_tty):
        if not argument:
            raise gdb.GdbError("usage: cte bt EXPR")
        frame = frame_of(argument)
        isa, registers = fast_registers_of(frame) if is_fast_state(frame) else registers_of(frame)
        gdb.execute("frame 0", to_string=True)
        saved = {name: word(gdb.parse_and_eval("$" + name)) for name in registers}
        try:
            for name, value in registers.items():
                gdb.execute("set $%s = 0x%x" % (name, value), to_string=True)
            print(gdb.execute("backtrace", to_string=True), end="")
        finally:
            for name, value in saved.items():
                gdb.execute("set $%s = 0x%x" % (name, value), to_string=True)
            gdb.execute("frame 0", to_string=True)


CteCommand()
CteContextCommand()
CteBacktraceCommand()
