# What _slots puts behind starlette's Request's tp_init.

cdef int init_request(object self, object scope, object receive, object send) except -1
