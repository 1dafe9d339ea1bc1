"""The ``--optimizer SPEC`` grammar of ``python -m counterexamples.conformance``.

    SPEC   := LIB ":" NAME [ "?" KWARGS ]
    LIB    := "torch" | "optax" | a Python module path (then NAME is a function in it)
    KWARGS := KEY "=" VALUE { "&" KEY "=" VALUE }
    VALUE  := true | false | none | an int | a float | VALUE "," VALUE ...   (a tuple, e.g. betas=0.5,0.9)

Examples: ``torch:Adam``, ``torch:Adam?amsgrad=true``, ``optax:amsgrad?bias_correction_nu=false``,
``torch:AdamW?weight_decay=0``, ``mypkg.steps:my_step``.

Parsing is purely syntactic (no library is imported here); a SPEC that does not parse raises
:class:`SpecError` whose message names the offending part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

TORCH_OPTIMIZERS = ("Adam", "AdamW", "NAdam", "RAdam", "RMSprop", "Adagrad", "SGD")
OPTAX_OPTIMIZERS = ("adam", "amsgrad")
LIBRARIES = ("torch", "optax")

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class SpecError(ValueError):
    """A SPEC that does not parse; the message names the part and what is allowed.

    >>> from counterexamples.conformance import SpecError, parse
    >>> try:
    ...     parse("torch:Adam?lr")
    ... except SpecError as e:
    ...     print(e)
    --optimizer: the keyword argument 'lr' is not KEY=VALUE
    """


@dataclass(frozen=True)
class OptimizerSpec:
    """A parsed ``--optimizer`` SPEC, ``LIB:NAME?k=v&k=v``: the text as given, the library (``torch``,
    ``optax`` or ``user`` for a ``module:function``), the name, the module (user only) and the keyword
    arguments (true/false/none, numbers, comma tuples).

    >>> from counterexamples.conformance import parse
    >>> s = parse("counterexamples.conformance.drivers.user:paper_amsgrad_step?beta1=0.5")
    >>> s.library, s.module, s.name, s.kwargs
    ('user', 'counterexamples.conformance.drivers.user', 'paper_amsgrad_step', {'beta1': 0.5})
    """
    text: str  # the SPEC as given
    library: str  # "torch", "optax" or "user"
    name: str  # optimizer class / alias / function name
    module: str | None = None  # for library == "user"
    kwargs: dict = field(default_factory=dict)


def parse_value(key: str, text: str):
    """true/false/none, int, float, or a comma tuple of those; anything else is a SpecError."""
    if "," in text:
        return tuple(parse_value(key, part) for part in text.split(","))
    low = text.strip().lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if low == "none":
        return None
    try:
        return int(low)
    except ValueError:
        pass
    try:
        return float(low)
    except ValueError:
        raise SpecError(f"--optimizer: cannot parse the value {text!r} of {key!r} "
                        "(allowed: true, false, none, a number, or a comma list of those)") from None


def parse(text: str) -> OptimizerSpec:
    """Parse SPEC (LIB ":" NAME ["?" KWARGS], the grammar of this module's docstring) into an
    :class:`OptimizerSpec`: the library (``torch``, ``optax``, or ``user`` for a ``module:function`` step),
    the optimizer's name and the keyword arguments the library is called with.  Purely syntactic (no library
    is imported); raise SpecError naming the part that does not parse.

    >>> from counterexamples.conformance import parse
    >>> parse("torch:Adam?lr=0.1&amsgrad=true&betas=0.9,0.99").kwargs
    {'lr': 0.1, 'amsgrad': True, 'betas': (0.9, 0.99)}
    >>> parse("optax:amsgrad").library
    'optax'
    """
    if not isinstance(text, str) or ":" not in text:
        raise SpecError(f"--optimizer: {text!r} is not LIB:NAME (e.g. torch:Adam, optax:amsgrad, "
                        "module:function)")
    head, _, query = text.partition("?")
    lib, _, name = head.partition(":")
    lib, name = lib.strip(), name.strip()
    if not name:
        raise SpecError(f"--optimizer: missing the name after {lib + ':'!r} in {text!r}")
    if lib == "torch":
        if name not in TORCH_OPTIMIZERS:
            raise SpecError(f"--optimizer: unknown torch optimizer {name!r}; choose one of "
                            f"{', '.join(TORCH_OPTIMIZERS)}")
        library, module = "torch", None
    elif lib == "optax":
        if name not in OPTAX_OPTIMIZERS:
            raise SpecError(f"--optimizer: unknown optax optimizer {name!r}; choose one of "
                            f"{', '.join(OPTAX_OPTIMIZERS)}")
        library, module = "optax", None
    else:
        if not _MODULE.match(lib):
            raise SpecError(f"--optimizer: {lib!r} is neither torch, optax nor a Python module path")
        if not _IDENT.match(name):
            raise SpecError(f"--optimizer: {name!r} is not a Python function name (in {text!r})")
        library, module = "user", lib
    kwargs = {}
    if query:
        for item in query.split("&"):
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not _IDENT.match(key) or not value.strip():
                raise SpecError(f"--optimizer: the keyword argument {item!r} is not KEY=VALUE")
            if key in kwargs:
                raise SpecError(f"--optimizer: keyword argument {key!r} given twice")
            kwargs[key] = parse_value(key, value.strip())
    elif "?" in text:
        raise SpecError(f"--optimizer: nothing after '?' in {text!r}")
    return OptimizerSpec(text=text, library=library, name=name, module=module, kwargs=kwargs)
