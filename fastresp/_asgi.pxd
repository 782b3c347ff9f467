# The Headers operations _slots puts behind a class's slots (tp_init, item slots).

cdef int _init(object self, object headers, object raw, object scope) except -1
# Headers.__init__(self, scope=scope) for a scope that is not None: the list it
# stores. plain: storing _list on self runs no code and reads back as stored.
cdef object _init_scope(object self, object scope, bint plain)

cdef int _setitem(object self, object key, object value) except -1
cdef int _delitem(object self, object key) except -1
cdef object _getitem(object self, object key)
cdef object _contains(object self, object key)

# The lowered, encoded header name, from the one name cache (_request reads it too).
cdef bytes _name(object key, bint* refused)
