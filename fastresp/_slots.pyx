# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True, binding=True
# cython: freethreading_compatible=False
# (Every directive this module is compiled with; setup.py adds none.
# freethreading_compatible=False is Cython's default, stated: the module-level
# state needs the GIL, so on a free-threaded build importing this module turns
# the GIL on. See README.md, Compatibility.)
"""The CPython type slots the compiled implementation writes, all of them.

* ``call_without_type_call(cls, enable)``: a response class's ``tp_vectorcall``
  (``_headers._construct``), so calling the class skips ``type.__call__``.
* ``dispatch_items_directly(cls, enable)``: a MutableHeaders class's
  ``mp_subscript``, ``mp_ass_subscript`` and ``sq_contains``, so ``h[k]``,
  ``h[k] = v``, ``del h[k]`` and ``k in h`` reach ``_asgi``'s operations without
  CPython's method dispatch.
* ``init_request_directly(cls, enable)``: starlette's ``Request``'s
  ``tp_init``, so ``Request(scope, receive, send)`` sets the attributes
  starlette's two checked ``__init__`` would, without calling them.
* ``init_directly(cls, enable)``: a Headers or MutableHeaders class's
  ``tp_init``, so ``cls(scope=...)``, ``cls(raw=...)`` and the like reach
  ``_asgi``'s ``__init__`` without CPython's lookup, argument packing and
  keyword parsing. Both ``init_...`` switches also set the class's
  ``tp_vectorcall`` (``_call``), so calling it skips ``type.__call__``. Its
  metaclass is ``ABCMeta`` (both are Mappings), which CPython calls through
  that slot from 3.12 on; before 3.12 the first switch sets ``ABCMeta``'s
  vectorcall flag as 3.12 does (``_abcmeta_calls_through_vectorcall``).

Each has a query, ``..._is_on(cls)`` (and ``called_without_type_call(cls)``). Only the compiled implementation has
this module (``responses.make_classes`` and ``install()`` call it when
``impl.compiled``); pure Python has no faster way to do either.
"""

from cpython.object cimport Py_TYPE, PyObject, PyTypeObject

from cpython.dict cimport PyDict_GetItem, PyDict_Size
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport PyUnicode_Compare

from ._asgi cimport _contains, _delitem, _getitem, _init, _setitem
from ._attrs cimport _own
from ._capi cimport TypeObject
from ._headers cimport _construct, _construct_takes, _packed
from ._request cimport init_request

from abc import ABCMeta

from ._asgi import contains, delitem, getitem, init, setitem
from ._common import check_class, request_inits_checked

cdef extern from "Python.h":
    void PyType_Modified(PyTypeObject* type)
    unsigned long Py_TPFLAGS_HEAPTYPE


# ------------------------------------------------------------ construction

def call_without_type_call(cls, bint enable):
    """Let calls of cls itself go through ``_headers._construct`` (enable), or
    type.__call__ again. Only a class made by a class statement (or type())
    whose tp_vectorcall is free or ours is touched; it takes effect while cls's
    __new__ and __init__ are the ones _construct stands for."""
    check_class(cls, "call_without_type_call")
    cdef TypeObject* t = <TypeObject*>cls
    if type(cls) is not type or not t.tp_flags & Py_TPFLAGS_HEAPTYPE:
        return      # CPython calls only type's own instances through the slot
    if t.tp_vectorcall is NULL or t.tp_vectorcall is <void*>_construct:
        t.tp_vectorcall = <void*>_construct if enable else NULL
        PyType_Modified(<PyTypeObject*>cls)    # drop whatever CPython or we cached about calling cls


def call_without_type_call_is_on(cls):
    """True when calling cls itself goes through _construct right now."""
    check_class(cls, "call_without_type_call_is_on")
    if (<TypeObject*>cls).tp_vectorcall is not <void*>_construct or type(cls) is not type:
        return False
    return _construct_takes(cls)


# ------------------------------------------------------- item operations
#
# ``h[key]``, ``h[key] = value``, ``del h[key]`` and ``key in h`` reach a class's
# C slots first; for a class whose methods are Python-level objects (ours are
# Cython functions) CPython fills those slots with generic dispatchers that look
# the method up by name and call it with its arguments packed.
# dispatch_items_directly() puts these functions in the slots of a
# MutableHeaders class whose methods are _asgi's instead: they call the
# operation directly while the class still has _asgi's method, and hand over to
# the generic dispatcher otherwise. CPython refills the slots itself whenever
# one of those methods is set or deleted on the class or a base (a later
# override never meets these functions), and a subclass gets the generic
# dispatchers of its own.

ctypedef object (*Subscript)(object self, object key)                            # mp_subscript
ctypedef int (*AssignSubscript)(object self, object key, PyObject* value) except -1  # mp_ass_subscript
ctypedef int (*Contains)(object self, object key) except -1                      # sq_contains

cdef object GETITEM = "__getitem__"
cdef object SETITEM = "__setitem__"
cdef object DELITEM = "__delitem__"
cdef object CONTAINS = "__contains__"
# C globals: compared in noexcept functions.
cdef object _GETITEM_FUNCTION = getitem
cdef object _SETITEM_FUNCTION = setitem
cdef object _DELITEM_FUNCTION = delitem
cdef object _CONTAINS_FUNCTION = contains

# CPython's generic dispatchers, as found in the first class set up (the same
# functions for every class whose methods are Python-level objects).
cdef Subscript _generic_subscript = NULL
cdef AssignSubscript _generic_assign = NULL
cdef Contains _generic_contains = NULL


cdef object _subscript(object self, object key):
    if _own(type(self), GETITEM, _GETITEM_FUNCTION):
        return _getitem(self, key)
    return _generic_subscript(self, key)


cdef int _assign(object self, object key, PyObject* value) except -1:
    """h[key] = value, or del h[key] when value is NULL."""
    if value is NULL:
        if _own(type(self), DELITEM, _DELITEM_FUNCTION):
            return _delitem(self, key)
    elif _own(type(self), SETITEM, _SETITEM_FUNCTION):
        return _setitem(self, key, <object>value)
    return _generic_assign(self, key, value)


cdef int _contains_slot(object self, object key) except -1:
    if _own(type(self), CONTAINS, _CONTAINS_FUNCTION):
        return 1 if _contains(self, key) else 0
    return _generic_contains(self, key)


cdef bint _methods_ours(object cls) noexcept:
    """cls's four item methods are _asgi's (Cython functions, not slot wrappers:
    so CPython has put its generic dispatchers in cls's slots, unless
    dispatch_items_directly has put ours)."""
    return (_own(cls, GETITEM, _GETITEM_FUNCTION) and _own(cls, SETITEM, _SETITEM_FUNCTION)
            and _own(cls, DELITEM, _DELITEM_FUNCTION) and _own(cls, CONTAINS, _CONTAINS_FUNCTION))


cdef bint _slots_known(TypeObject* t) noexcept:
    """t's three slots each hold CPython's generic dispatcher or ours."""
    return (_either(t.tp_as_mapping.mp_subscript, <void*>_generic_subscript, <void*>_subscript)
            and _either(t.tp_as_mapping.mp_ass_subscript, <void*>_generic_assign, <void*>_assign)
            and _either(t.tp_as_sequence.sq_contains, <void*>_generic_contains,
                        <void*>_contains_slot))


cdef inline bint _either(void* slot, void* generic, void* ours) noexcept:
    return slot is generic or slot is ours


def dispatch_items_directly(cls, bint enable):
    """Let ``h[key]``, ``h[key] = value``, ``del h[key]`` and ``key in h`` on
    instances of cls (a MutableHeaders class with _asgi's methods, made by a
    class statement or type()) go straight to them (enable), or through
    CPython's dispatchers again. Any other class is left alone."""
    global _generic_subscript, _generic_assign, _generic_contains
    check_class(cls, "dispatch_items_directly")
    cdef TypeObject* t = <TypeObject*>cls
    # (Any metaclass will do: starlette's Headers is a typing.Mapping, so
    # ABCMeta's; setting a method still goes through type.__setattr__.)
    if (not t.tp_flags & Py_TPFLAGS_HEAPTYPE or t.tp_as_mapping is NULL
            or t.tp_as_sequence is NULL or not _methods_ours(cls)):
        return
    if _generic_subscript is NULL and t.tp_as_mapping.mp_subscript is not <void*>_subscript:
        # The first class set up: its slots are CPython's dispatchers.
        _generic_subscript = <Subscript>t.tp_as_mapping.mp_subscript
        _generic_assign = <AssignSubscript>t.tp_as_mapping.mp_ass_subscript
        _generic_contains = <Contains>t.tp_as_sequence.sq_contains
    if _generic_subscript is NULL or not _slots_known(t):
        return
    t.tp_as_mapping.mp_subscript = <void*>_subscript if enable else <void*>_generic_subscript
    t.tp_as_mapping.mp_ass_subscript = <void*>_assign if enable else <void*>_generic_assign
    t.tp_as_sequence.sq_contains = <void*>_contains_slot if enable else <void*>_generic_contains


def dispatch_items_directly_is_on(cls):
    """True when all three of cls's slots are this module's functions right now
    (CPython resets one when a method it stands for is set on the class)."""
    check_class(cls, "dispatch_items_directly_is_on")
    cdef TypeObject* t = <TypeObject*>cls
    return (t.tp_as_mapping is not NULL and t.tp_as_sequence is not NULL
            and t.tp_as_mapping.mp_subscript is <void*>_subscript
            and t.tp_as_mapping.mp_ass_subscript is <void*>_assign
            and t.tp_as_sequence.sq_contains is <void*>_contains_slot)


# ------------------------------------------------------------ __init__
#
# The same pattern for tp_init: CPython fills it with a generic dispatcher
# (look __init__ up, pack self and the arguments, call) for a class whose
# __init__ is a Python-level object. init_directly() puts _init_slot there
# instead on a Headers class whose __init__ is _asgi's, and
# init_request_directly() _request_init_slot on starlette's Request while its
# __init__ and HTTPConnection's (which it calls through super()) are the
# sources fastresp checked. Both methods stay in place; setting __init__ on the
# class or a base makes CPython refill the slot (HTTPConnection's is checked on
# every call: Request has its own __init__, so CPython leaves Request's slot
# alone when HTTPConnection's changes). Each binds its three parameters itself
# and hands anything it does not bind plainly (too many arguments, a name
# given twice or unknown, a Request without a scope) to the generic
# dispatcher, which binds it or raises as Python does.
#
# Where the metaclass is called through vectorcall (type itself; ABCMeta, the
# metaclass of both Mappings: see _abcmeta_calls_through_vectorcall), the
# class's tp_vectorcall is _call too, which skips type.__call__'s packing and
# lookups altogether.

ctypedef int (*Init)(object self, object args, PyObject* kwds) except -1   # tp_init
ctypedef object (*Call)(object callable, object args, PyObject* kwargs)   # tp_call
ctypedef object (*NewFunction)(object cls, object args, PyObject* kwargs)   # tp_new

cdef extern from "Python.h":
    PyObject* PyFunction_GetDefaults(object function)
    Py_ssize_t PyVectorcall_NARGS(size_t nargsf)
    unsigned long Py_TPFLAGS_HAVE_VECTORCALL

cdef object INIT = "__init__"
cdef object _INIT_FUNCTION = init
cdef tuple HEADERS_PARAMETERS = ("headers", "raw", "scope")
cdef tuple REQUEST_PARAMETERS = ("scope", "receive", "send")
cdef Init _generic_init = NULL
cdef void* _OBJECT_NEW = (<TypeObject*>object).tp_new
cdef void* _TYPE_CALL = (<TypeObject*>type).tp_call
cdef Py_ssize_t _VECTORCALL_OFFSET = (<TypeObject*>type).tp_vectorcall_offset
cdef tuple _NO_ARGS = ()

cdef object _REQUEST_INIT = None        # starlette's checked Request.__init__
cdef object _CONNECTION_INIT = None     # and HTTPConnection.__init__
cdef object _CONNECTION = None
if request_inits_checked():
    import starlette.requests
    _CONNECTION = starlette.requests.HTTPConnection
    _REQUEST_INIT = vars(starlette.requests.Request)["__init__"]
    _CONNECTION_INIT = vars(_CONNECTION)["__init__"]


cdef inline object _or(PyObject* given, object default):
    return default if given is NULL else <object>given


cdef Py_ssize_t _position(tuple names, PyObject* name) noexcept:
    """The index of name (a keyword's name) in names, -1 when it is none of them."""
    cdef Py_ssize_t i
    for i in range(3):
        if <PyObject*>names[i] is name:
            return i
    if Py_TYPE(<object>name) is <PyTypeObject*>str:
        for i in range(3):
            if PyUnicode_Compare(names[i], <object>name) == 0:
                return i
    return -1


cdef bint _bind(tuple names, object args, PyObject* kwds, PyObject** given) noexcept:
    """given[i]: the argument of a call (args, a tuple; kwds, a dict or NULL) for
    the parameter names[i], NULL when not given. False when the call does not
    bind plainly to the three."""
    cdef Py_ssize_t n = PyTuple_GET_SIZE(args), i, matched = 0
    cdef PyObject* found
    if n > 3:
        return False
    for i in range(3):
        given[i] = PyTuple_GET_ITEM(args, i) if i < n else NULL
    if kwds is NULL:
        return True
    for i in range(3):
        found = PyDict_GetItem(<object>kwds, names[i])
        if found is not NULL:
            if given[i] is not NULL:
                return False
            given[i] = found
            matched += 1
    return matched == PyDict_Size(<object>kwds)


cdef bint _bind_vector(tuple names, PyObject** args, Py_ssize_t n, PyObject* kwnames,
                       PyObject** given) noexcept:
    """_bind for a vectorcall's arguments."""
    cdef Py_ssize_t i, k
    if n > 3:
        return False
    for i in range(3):
        given[i] = args[i] if i < n else NULL
    if kwnames is NULL:
        return True
    for k in range(PyTuple_GET_SIZE(<object>kwnames)):
        i = _position(names, PyTuple_GET_ITEM(<object>kwnames, k))
        if i < 0 or given[i] is not NULL:
            return False
        given[i] = args[n + k]
    return True


cdef inline int _init_given(object self, PyObject** given) except -1:
    return _init(self, _or(given[0], None), _or(given[1], None), _or(given[2], None))


cdef bint _request_inits_known(object cls) noexcept:
    return (_REQUEST_INIT is not None and _own(cls, INIT, _REQUEST_INIT)
            and _own(_CONNECTION, INIT, _CONNECTION_INIT))


cdef object _request_defaults(object cls, PyObject** given):
    """Request.__init__'s defaults (receive, send) when cls still uses the
    checked __init__s and given holds a scope, else None."""
    cdef PyObject* defaults
    if given[0] is NULL or not _request_inits_known(cls):
        return None
    defaults = PyFunction_GetDefaults(_REQUEST_INIT)
    if defaults is NULL or type(<object>defaults) is not tuple or len(<object>defaults) != 2:
        return None
    return <object>defaults


cdef inline int _init_request_given(object self, PyObject** given, tuple defaults) except -1:
    return init_request(self, <object>given[0], _or(given[1], defaults[0]),
                        _or(given[2], defaults[1]))


cdef int _init_slot(object self, object args, PyObject* kwds) except -1:
    """Headers.__init__(headers=None, raw=None, scope=None), from type.__call__."""
    cdef PyObject* given[3]
    if not _own(type(self), INIT, _INIT_FUNCTION) or not _bind(HEADERS_PARAMETERS, args, kwds, given):
        return _generic_init(self, args, kwds)
    return _init_given(self, given)


cdef int _request_init_slot(object self, object args, PyObject* kwds) except -1:
    """Request.__init__(scope, receive=empty_receive, send=empty_send), from type.__call__."""
    cdef PyObject* given[3]
    if not _bind(REQUEST_PARAMETERS, args, kwds, given):
        return _generic_init(self, args, kwds)
    defaults = _request_defaults(type(self), given)
    if defaults is None:
        return _generic_init(self, args, kwds)
    return _init_request_given(self, given, defaults)


cdef object _call(object cls, PyObject** args, size_t nargsf, PyObject* kwnames):
    """cls(*args) as type.__call__ would make it, for a class whose tp_init is
    one of the two slots above, without packing the arguments."""
    cdef TypeObject* t = <TypeObject*>cls
    cdef Py_ssize_t n = PyVectorcall_NARGS(nargsf)
    cdef PyObject* given[3]
    cdef void* slot = t.tp_init
    defaults = None
    if (<TypeObject*>Py_TYPE(cls)).tp_call is _TYPE_CALL and t.tp_new is _OBJECT_NEW:
        if slot is <void*>_init_slot:
            if not (_own(cls, INIT, _INIT_FUNCTION) and _bind_vector(HEADERS_PARAMETERS, args, n, kwnames, given)):
                slot = NULL
        elif slot is <void*>_request_init_slot:
            if _bind_vector(REQUEST_PARAMETERS, args, n, kwnames, given):
                defaults = _request_defaults(cls, given)
            if defaults is None:
                slot = NULL
        else:
            slot = NULL
    else:
        slot = NULL
    if slot is NULL:
        positional, keywords = _packed(args, n, kwnames)
        return (<Call>(<TypeObject*>Py_TYPE(cls)).tp_call)(cls, positional, <PyObject*>keywords)
    self = (<NewFunction>_OBJECT_NEW)(cls, _NO_ARGS, NULL)
    if t.tp_init is not slot:
        # The allocation ran a finalizer (through the GC) that changed the
        # class: finish as type.__call__ does from here.
        positional, keywords = _packed(args, n, kwnames)
        (<Init>t.tp_init)(self, positional, <PyObject*>keywords)
    elif slot is <void*>_init_slot:
        _init_given(self, given)
    else:
        _init_request_given(self, given, defaults)
    return self


cdef void _abcmeta_calls_through_vectorcall() noexcept:
    """Give ABCMeta the vectorcall flag CPython gives it from 3.12 on.

    Before 3.12 a metaclass made by a class statement never takes
    Py_TPFLAGS_HAVE_VECTORCALL from type, so CPython calls every Mapping class
    through type.__call__, which packs keyword arguments into a dict. The flag
    only makes CPython read a class's own tp_vectorcall, and a NULL there means
    tp_call, as without the flag (the C API's documented contract): so every
    class but those _set_init gives _call is called as before, and _call hands
    over to the metaclass's tp_call when someone has set ABCMeta.__call__. It
    stays set after uninstall(): fastresp's own Headers classes use it too."""
    cdef TypeObject* meta = <TypeObject*>ABCMeta
    if (not meta.tp_flags & Py_TPFLAGS_HAVE_VECTORCALL and meta.tp_call is _TYPE_CALL
            and meta.tp_vectorcall_offset == _VECTORCALL_OFFSET):
        meta.tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL


cdef void _set_init(object cls, void* slot, bint enable) noexcept:
    """cls's tp_init to slot (enable) or CPython's dispatcher, and its
    tp_vectorcall to _call or NULL where the metaclass calls through it."""
    global _generic_init
    cdef TypeObject* t = <TypeObject*>cls
    cdef TypeObject* meta = <TypeObject*>Py_TYPE(cls)
    if enable and meta is <TypeObject*>ABCMeta:
        _abcmeta_calls_through_vectorcall()
    if _generic_init is NULL and t.tp_init is not slot:
        _generic_init = <Init>t.tp_init     # the first class set up: CPython's dispatcher
    if t.tp_init is not <void*>_generic_init and t.tp_init is not slot:
        return
    t.tp_init = slot if enable else <void*>_generic_init
    if (meta.tp_flags & Py_TPFLAGS_HAVE_VECTORCALL and meta.tp_vectorcall_offset == _VECTORCALL_OFFSET
            and (t.tp_vectorcall is NULL or t.tp_vectorcall is <void*>_call)):
        t.tp_vectorcall = <void*>_call if enable else NULL
    PyType_Modified(<PyTypeObject*>cls)


def init_directly(cls, bint enable):
    """Let ``cls(...)`` (cls a Headers class whose ``__init__`` is _asgi's,
    made by a class statement or type()) run that ``__init__`` straight from
    the class's slots (enable), or through CPython's dispatcher again. Any
    other class is left alone."""
    check_class(cls, "init_directly")
    if (<TypeObject*>cls).tp_flags & Py_TPFLAGS_HEAPTYPE and _own(cls, INIT, _INIT_FUNCTION):
        _set_init(cls, <void*>_init_slot, enable)


def init_request_directly(cls, bint enable):
    """Let ``cls(scope, ...)`` (cls starlette's Request, while its __init__ and
    HTTPConnection's are the checked ones) set the attributes they would from
    the class's slots (enable), or call them again. Any other class is left
    alone."""
    check_class(cls, "init_request_directly")
    if (<TypeObject*>cls).tp_flags & Py_TPFLAGS_HEAPTYPE and _request_inits_known(cls):
        _set_init(cls, <void*>_request_init_slot, enable)


def init_directly_is_on(cls):
    """True when cls's tp_init is _init_slot right now (CPython resets it when
    __init__ is set on the class or a base)."""
    check_class(cls, "init_directly_is_on")
    return (<TypeObject*>cls).tp_init is <void*>_init_slot


def init_request_directly_is_on(cls):
    """True when cls's tp_init is _request_init_slot right now."""
    check_class(cls, "init_request_directly_is_on")
    return (<TypeObject*>cls).tp_init is <void*>_request_init_slot


def called_without_type_call(cls):
    """True when calling cls goes through _call right now."""
    check_class(cls, "called_without_type_call")
    return (<TypeObject*>cls).tp_vectorcall is <void*>_call
