/* SPDX-License-Identifier: MIT */
/* The C core of the Python package: one Keeper object per sk_keeper. The
 * library is called without the GIL; its events reach Python as
 * (type, path, fields) on whichever thread the library runs them, with the
 * GIL taken there; errors become OSError (or ValueError) with the library's
 * own words. The Python-facing API is in __init__.py. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#include <structmember.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockkeeper.h"
#include "socket-path.h"

typedef struct {
        PyObject_HEAD
        sk_keeper *k;
        PyObject *callback;             /* callable(type, path, fields), or NULL */
        PyThread_type_lock lock;        /* one library call at a time */
        unsigned long busy_thread;      /* holds lock, or 0 */
        unsigned long callback_thread;  /* runs a callback now, or 0 */
        pid_t pid;                      /* the process that bound the socket */
        bool running;                   /* the keeper thread runs */
        /* What the library said while binding, for the exception. */
        bool have_conflict;
        sk_conflict_kind conflict;
        /* sk_keeper_get_anchor_path() and _is_adopted() as of the last
         * moment they could be read: not while the keeper thread runs. */
        PyObject *anchor_cache;
        bool adopted_cache;
        PyObject *weakreflist;
} KeeperObject;

static PyObject *set_os_error(int r, PyObject *filename, const char *detail) {
        int e = r < 0 ? -r : r;
        PyObject *exc_type = PyExc_OSError, *msg, *args;

        /* "Address already in use" is Python's FileExistsError in spirit: a
         * live socket holds the path. OSError() picks the other subclasses
         * (PermissionError, FileNotFoundError, ...) from the errno itself. */
        if (e == EADDRINUSE)
                exc_type = PyExc_FileExistsError;
        if (detail)
                msg = PyUnicode_FromFormat("%s (%s)", strerror(e), detail);
        else
                msg = PyUnicode_FromString(strerror(e));
        if (!msg)
                return NULL;
        args = filename ? Py_BuildValue("(iOO)", e, msg, filename) : Py_BuildValue("(iO)", e, msg);
        Py_DECREF(msg);
        if (!args)
                return NULL;
        PyErr_SetObject(exc_type, args);
        Py_DECREF(args);
        return NULL;
}

static PyObject *path_object(KeeperObject *self) {
        const char *p = sk_keeper_get_path(self->k);

        return p ? PyUnicode_DecodeFSDefault(p) : NULL;
}

/* The union member that EV's type selects, by name, as in sockkeeper.h. */
static PyObject *event_fields(const sk_event *ev) {
        switch (ev->type) {
        case SK_EVENT_REFRESHED:
                return PyDict_New();
        case SK_EVENT_RELINKED:
                return Py_BuildValue("{s:K}", "usec", (unsigned long long) ev->relinked.usec);
        case SK_EVENT_REBOUND:
                return Py_BuildValue("{s:i,s:i,s:K,s:K,s:K}",
                                     "fd", ev->rebound.fd,
                                     "old_fd", ev->rebound.old_fd,
                                     "old_ino", (unsigned long long) ev->rebound.old_ino,
                                     "new_ino", (unsigned long long) ev->rebound.new_ino,
                                     "usec", (unsigned long long) ev->rebound.usec);
        case SK_EVENT_CONFLICT:
                return Py_BuildValue("{s:s,s:I,s:I,s:I}",
                                     "kind", sk_conflict_kind_to_string(ev->conflict.kind) ?: "unknown",
                                     "mode", (unsigned) ev->conflict.mode,
                                     "uid", (unsigned) ev->conflict.uid,
                                     "gid", (unsigned) ev->conflict.gid);
        case SK_EVENT_ERROR:
                return Py_BuildValue("{s:i,s:s,s:s,s:K}",
                                     "error", ev->error.error,
                                     "strerror", strerror(ev->error.error),
                                     "operation", ev->error.operation ?: "",
                                     "retry_usec", (unsigned long long) ev->error.retry_usec);
        case SK_EVENT_PARENT_RESTORED:
                return Py_BuildValue("{s:I}", "mode", (unsigned) ev->parent_restored.mode);
        case SK_EVENT_ATTACHED:
                return Py_BuildValue("{s:K,s:K,s:I,s:O}",
                                     "dev", (unsigned long long) ev->attached.dev,
                                     "ino", (unsigned long long) ev->attached.ino,
                                     "uid", (unsigned) ev->attached.uid,
                                     "replaced", ev->attached.replaced ? Py_True : Py_False);
        case SK_EVENT_LOST:
                return Py_BuildValue("{s:K,s:K,s:O,s:O}",
                                     "dev", (unsigned long long) ev->lost.dev,
                                     "ino", (unsigned long long) ev->lost.ino,
                                     "alive", ev->lost.alive ? Py_True : Py_False,
                                     "removed", ev->lost.removed ? Py_True : Py_False);
        }
        return PyDict_New();
}

/* Called with the GIL, where the library allows reading its state: not
 * from another thread while the keeper thread runs. */
static void refresh_cache(KeeperObject *self) {
        const char *anchor = sk_keeper_get_anchor_path(self->k);
        PyObject *a = anchor ? PyUnicode_DecodeFSDefault(anchor) : Py_NewRef(Py_None);

        if (a)
                Py_XSETREF(self->anchor_cache, a);
        else
                PyErr_Clear();
        self->adopted_cache = sk_keeper_is_adopted(self->k);
}

/* The library's callback: on the keeper thread, or on the thread inside
 * bind, process or check, which runs the library without the GIL. */
static void on_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        KeeperObject *self = userdata;
        PyGILState_STATE gil;
        unsigned long outer;
        PyObject *fields, *res;

        /* A thread that takes the GIL after finalization began never
         * returns; the package stops its keepers at exit before that. */
        if (_Py_IsFinalizing())
                return;
        gil = PyGILState_Ensure();
        if (ev->type == SK_EVENT_CONFLICT && !self->have_conflict) {
                self->have_conflict = true;
                self->conflict = ev->conflict.kind;
        }
        refresh_cache(self);
        if (self->callback) {
                PyObject *cb = Py_NewRef(self->callback);

                outer = self->callback_thread;
                self->callback_thread = PyThread_get_thread_ident();
                fields = event_fields(ev);
                res = fields ? PyObject_CallFunction(cb, "isO", (int) ev->type, ev->path, fields) : NULL;
                Py_XDECREF(fields);
                if (res)
                        Py_DECREF(res);
                else
                        /* Reported (sys.unraisablehook), never fatal to the keeper. */
                        PyErr_WriteUnraisable(cb);
                self->callback_thread = outer;
                Py_DECREF(cb);
        }
        PyGILState_Release(gil);
}

/* Takes the keeper's lock for a library call, waiting without the GIL.
 * Refuses from a callback of this keeper: the library must not be
 * re-entered from there (it would deadlock or free itself under its feet). */
static int acquire(KeeperObject *self, const char *what) {
        unsigned long me = PyThread_get_thread_ident();

        if (self->k && self->pid != getpid()) {
                PyErr_Format(PyExc_RuntimeError, "%s(): this keeper belongs to process %d; a forked child may only "
                             "close() it", what, (int) self->pid);
                return -1;
        }
        if (self->busy_thread == me || self->callback_thread == me) {
                PyErr_Format(PyExc_RuntimeError, "%s() may not be called from the keeper's own callback", what);
                return -1;
        }
        if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
                Py_BEGIN_ALLOW_THREADS
                PyThread_acquire_lock(self->lock, WAIT_LOCK);
                Py_END_ALLOW_THREADS
        }
        self->busy_thread = me;
        if (!self->k) {
                self->busy_thread = 0;
                PyThread_release_lock(self->lock);
                PyErr_SetString(PyExc_ValueError, "operation on a closed keeper");
                return -1;
        }
        return 0;
}

static void release(KeeperObject *self) {
        self->busy_thread = 0;
        PyThread_release_lock(self->lock);
}

static int set_value_error(int r, const char *what) {
        if (r == -EINVAL)
                PyErr_Format(PyExc_ValueError, "%s is out of range", what);
        else
                set_os_error(r, NULL, what);
        return -1;
}

static int keeper_init(KeeperObject *self, PyObject *args, PyObject *kwds) {
        static char *kwlist[] = { "path", "type", "mode", "backlog", "sticky", "relink", "poll",
                                  "interval", "refresh_interval", "anchor_dir", "callback", NULL };
        PyObject *path_bytes = NULL, *anchor_bytes = NULL, *callback = Py_None, *filename;
        int type = SOCK_STREAM, mode = 0660, backlog = 16, sticky = 0, relink = 1, poll = 0, r;
        double interval = 0, refresh = 6 * 3600;
        socket_path_problem problem;
        sk_keeper *k = NULL;

        if (self->k || self->lock) {
                PyErr_SetString(PyExc_RuntimeError, "a keeper is initialized once");
                return -1;
        }
        if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|$iiipppddO&O", kwlist,
                                         PyUnicode_FSConverter, &path_bytes, &type, &mode, &backlog,
                                         &sticky, &relink, &poll, &interval, &refresh,
                                         PyUnicode_FSConverter, &anchor_bytes, &callback))
                return -1;
        filename = PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(path_bytes));
        if (!filename)
                goto fail;
        if (callback != Py_None && !PyCallable_Check(callback)) {
                PyErr_SetString(PyExc_TypeError, "callback must be callable or None");
                goto fail;
        }
        if (!(interval >= 0 && interval < 1e12) || !(refresh >= 0 && refresh < 1e12)) {
                PyErr_SetString(PyExc_ValueError, "intervals are seconds, 0 or more");
                goto fail;
        }
        self->lock = PyThread_allocate_lock();
        if (!self->lock) {
                PyErr_NoMemory();
                goto fail;
        }

        r = sk_keeper_new(&k, PyBytes_AS_STRING(path_bytes));
        if (r == -EINVAL && socket_path_canonical(PyBytes_AS_STRING(path_bytes), NULL, &problem) < 0) {
                PyErr_Format(PyExc_ValueError, "%R %s", filename, socket_path_problem_to_string(problem));
                goto fail;
        }
        if (r == -ENAMETOOLONG) {
                set_os_error(r, filename, socket_path_problem_to_string(SOCKET_PATH_TOO_LONG));
                goto fail;
        }
        if (r < 0) {
                set_os_error(r, filename, NULL);
                goto fail;
        }
        if ((r = sk_keeper_set_type(k, type)) < 0 && set_value_error(r, "type") < 0)
                goto fail;
        if ((r = sk_keeper_set_mode(k, (mode_t) mode)) < 0 || mode < 0) {
                set_value_error(mode < 0 ? -EINVAL : r, "mode");
                goto fail;
        }
        if ((r = sk_keeper_set_backlog(k, backlog)) < 0 && set_value_error(r, "backlog") < 0)
                goto fail;
        if ((r = sk_keeper_set_sticky(k, sticky)) < 0 && set_value_error(r, "sticky") < 0)
                goto fail;
        if ((r = sk_keeper_set_relink(k, relink)) < 0 && set_value_error(r, "relink") < 0)
                goto fail;
        /* 0 asks the library for its default: a tiny interval is 1 µs. */
        r = sk_keeper_set_detection(k, poll ? SK_DETECT_POLL : SK_DETECT_INOTIFY,
                                    interval > 0 && interval < 1e-6 ? 1 : (uint64_t) (interval * 1e6));
        if (r < 0 && set_value_error(r, "interval") < 0)
                goto fail;
        r = sk_keeper_set_refresh_interval(k, (uint64_t) (refresh * 1e6));
        if (r < 0 && set_value_error(r, "refresh_interval") < 0)
                goto fail;
        if (anchor_bytes && (r = sk_keeper_set_anchor_dir(k, PyBytes_AS_STRING(anchor_bytes))) < 0 &&
            set_value_error(r, "anchor_dir (an absolute path)") < 0)
                goto fail;

        self->callback = callback == Py_None ? NULL : Py_NewRef(callback);
        self->k = k;
        self->pid = getpid();
        sk_keeper_set_event_callback(k, on_event, self);

        /* Events of the bind run on this thread, in on_event(). */
        self->busy_thread = PyThread_get_thread_ident();
        Py_BEGIN_ALLOW_THREADS
        r = sk_keeper_bind(k);
        Py_END_ALLOW_THREADS
        self->busy_thread = 0;
        if (r < 0) {
                const char *kind = self->have_conflict ? sk_conflict_kind_to_string(self->conflict) : NULL;
                char *detail = NULL;

                if (kind && asprintf(&detail, "%s at the path, left alone", kind) < 0)
                        detail = NULL;
                set_os_error(r, filename, detail);
                free(detail);
                self->k = NULL;
                goto fail;
        }
        refresh_cache(self);
        Py_DECREF(filename);
        Py_DECREF(path_bytes);
        Py_XDECREF(anchor_bytes);
        return 0;

fail:
        /* Nothing was bound, or the bind failed: freeing touches no file. */
        sk_keeper_free(k);
        Py_CLEAR(self->callback);
        Py_XDECREF(filename);
        Py_XDECREF(path_bytes);
        Py_XDECREF(anchor_bytes);
        return -1;
}

/* Stops the thread, removes the path and the anchor if they are still
 * ours, closes the socket. */
static PyObject *keeper_close(KeeperObject *self, PyObject *Py_UNUSED(ignored)) {
        sk_keeper *k;

        if (!self->k)
                Py_RETURN_NONE;
        if (self->pid != getpid()) {
                /* A forked child: no keeper thread here, the lock may have
                 * been held at the fork, and the files (and the rest of k)
                 * are the parent's. Only this process's copy of the socket
                 * goes. */
                int fd = sk_keeper_get_fd(self->k);

                if (fd >= 0)
                        close(fd);
                self->k = NULL;
                self->running = false;
                Py_RETURN_NONE;
        }
        if (acquire(self, "close") < 0) {
                /* closed by another thread meanwhile */
                if (!self->k && PyErr_ExceptionMatches(PyExc_ValueError)) {
                        PyErr_Clear();
                        Py_RETURN_NONE;
                }
                return NULL;
        }
        k = self->k;
        Py_BEGIN_ALLOW_THREADS
        sk_keeper_free(k);
        Py_END_ALLOW_THREADS
        self->k = NULL;
        self->running = false;
        release(self);
        Py_RETURN_NONE;
}

static PyObject *keeper_start(KeeperObject *self, PyObject *Py_UNUSED(ignored)) {
        int r;

        if (acquire(self, "start") < 0)
                return NULL;
        refresh_cache(self);
        Py_BEGIN_ALLOW_THREADS
        r = sk_keeper_start(self->k);
        Py_END_ALLOW_THREADS
        if (r >= 0)
                self->running = true;
        release(self);
        if (r < 0)
                return set_os_error(r, NULL, r == -EALREADY ? "the keeper thread already runs" : "start the keeper thread");
        Py_RETURN_NONE;
}

static PyObject *keeper_stop(KeeperObject *self, PyObject *Py_UNUSED(ignored)) {
        int r;

        if (acquire(self, "stop") < 0)
                return NULL;
        /* The thread may be waiting for the GIL in a callback. */
        Py_BEGIN_ALLOW_THREADS
        r = sk_keeper_stop(self->k);
        Py_END_ALLOW_THREADS
        if (r >= 0) {
                self->running = false;
                refresh_cache(self);
        }
        release(self);
        if (r < 0)
                return set_os_error(r, NULL, "stop the keeper thread");
        Py_RETURN_NONE;
}

static PyObject *run_once(KeeperObject *self, int (*fn)(sk_keeper *), const char *what) {
        int r;

        if (acquire(self, what) < 0)
                return NULL;
        Py_BEGIN_ALLOW_THREADS
        r = fn(self->k);
        Py_END_ALLOW_THREADS
        release(self);
        if (r < 0)
                return set_os_error(r, NULL, r == -EBUSY ? "the keeper thread runs; it checks by itself" : what);
        return PyLong_FromLong(r);
}

static PyObject *keeper_process(KeeperObject *self, PyObject *Py_UNUSED(ignored)) {
        return run_once(self, sk_keeper_process, "process");
}

static PyObject *keeper_check(KeeperObject *self, PyObject *Py_UNUSED(ignored)) {
        return run_once(self, sk_keeper_check_now, "check");
}

static int check_open(KeeperObject *self) {
        if (self->k)
                return 0;
        PyErr_SetString(PyExc_ValueError, "operation on a closed keeper");
        return -1;
}

/* CLOSURE is the library's getter: sk_keeper_get_fd or _get_event_fd. */
static PyObject *keeper_get_int(KeeperObject *self, void *closure) {
        int (*get)(const sk_keeper *) = (int (*)(const sk_keeper *)) closure;
        int r;

        if (check_open(self) < 0)
                return NULL;
        r = get(self->k);
        return r < 0 ? set_os_error(r, NULL, NULL) : PyLong_FromLong(r);
}

static PyObject *keeper_get_path(KeeperObject *self, void *closure) {
        if (check_open(self) < 0)
                return NULL;
        return path_object(self);
}

/* Read live where the library allows it: no keeper thread, or from its
 * callback, or with the keeper idle; otherwise as of the last event. */
static void maybe_refresh(KeeperObject *self) {
        unsigned long me = PyThread_get_thread_ident();

        if (!self->k)
                return;
        if (self->callback_thread == me) {
                refresh_cache(self);
                return;
        }
        if (self->running || self->busy_thread)
                return;
        if (PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
                refresh_cache(self);
                PyThread_release_lock(self->lock);
        }
}

static PyObject *keeper_get_anchor_path(KeeperObject *self, void *closure) {
        if (check_open(self) < 0)
                return NULL;
        maybe_refresh(self);
        return Py_NewRef(self->anchor_cache ?: Py_None);
}

static PyObject *keeper_get_adopted(KeeperObject *self, void *closure) {
        if (check_open(self) < 0)
                return NULL;
        maybe_refresh(self);
        return PyBool_FromLong(self->adopted_cache);
}

static PyObject *keeper_get_running(KeeperObject *self, void *closure) {
        return PyBool_FromLong(self->k && self->running);
}

static PyObject *keeper_get_closed(KeeperObject *self, void *closure) {
        return PyBool_FromLong(!self->k);
}

static void keeper_finalize(KeeperObject *self) {
        PyObject *type, *value, *tb, *r;

        if (!self->k)
                return;
        PyErr_Fetch(&type, &value, &tb);
        r = keeper_close(self, NULL);
        if (r)
                Py_DECREF(r);
        else
                PyErr_WriteUnraisable((PyObject *) self);
        PyErr_Restore(type, value, tb);
}

static int keeper_traverse(KeeperObject *self, visitproc visit, void *arg) {
        Py_VISIT(self->callback);
        Py_VISIT(Py_TYPE(self));
        return 0;
}

static int keeper_clear(KeeperObject *self) {
        Py_CLEAR(self->callback);
        return 0;
}

static void keeper_dealloc(KeeperObject *self) {
        PyTypeObject *tp = Py_TYPE(self);

        if (PyObject_CallFinalizerFromDealloc((PyObject *) self) < 0)
                return;
        PyObject_GC_UnTrack(self);
        if (self->weakreflist)
                PyObject_ClearWeakRefs((PyObject *) self);
        keeper_clear(self);
        Py_CLEAR(self->anchor_cache);
        if (self->lock)
                PyThread_free_lock(self->lock);
        tp->tp_free(self);
        Py_DECREF(tp);
}

static PyMethodDef keeper_methods[] = {
        { "close", (PyCFunction) keeper_close, METH_NOARGS,
          "close()\n--\n\nStop the thread, remove the path and the anchor if they are still this keeper's, "
          "close the socket. Idempotent." },
        { "start", (PyCFunction) keeper_start, METH_NOARGS, "start()\n--\n\nStart the keeper thread." },
        { "stop", (PyCFunction) keeper_stop, METH_NOARGS, "stop()\n--\n\nStop the keeper thread and wait for it." },
        { "process", (PyCFunction) keeper_process, METH_NOARGS,
          "process()\n--\n\nHandle what is pending on the event fd; returns the mask of event types." },
        { "check", (PyCFunction) keeper_check, METH_NOARGS,
          "check()\n--\n\nLook at the path now and heal it; returns the mask of event types." },
        {}
};

static PyGetSetDef keeper_getset[] = {
        { "fd", (getter) keeper_get_int, NULL, "The listening fd; its number never changes.",
          (void *) sk_keeper_get_fd },
        { "event_fd", (getter) keeper_get_int, NULL, "The fd to poll for POLLIN before process().",
          (void *) sk_keeper_get_event_fd },
        { "path", (getter) keeper_get_path, NULL, "The canonical path.", NULL },
        { "anchor_path", (getter) keeper_get_anchor_path, NULL, "The anchor hard link, or None.", NULL },
        { "adopted", (getter) keeper_get_adopted, NULL, "Adopted from socket activation.", NULL },
        { "running", (getter) keeper_get_running, NULL, "The keeper thread runs.", NULL },
        { "closed", (getter) keeper_get_closed, NULL, "close() was called.", NULL },
        {}
};

static PyMemberDef keeper_members[] = {
        { "__weaklistoffset__", T_PYSSIZET, offsetof(KeeperObject, weakreflist), READONLY },
        {}
};

static PyType_Slot keeper_slots[] = {
        { Py_tp_doc, (void *) "Keeper(path, *, type, mode, backlog, sticky, relink, poll, interval, "
                              "refresh_interval, anchor_dir, callback)\n--\n\n"
                              "The low-level keeper under sockkeeper.SockKeeper: binds (or adopts) at once." },
        { Py_tp_init, keeper_init },
        { Py_tp_new, PyType_GenericNew },
        { Py_tp_finalize, keeper_finalize },
        { Py_tp_dealloc, keeper_dealloc },
        { Py_tp_traverse, keeper_traverse },
        { Py_tp_clear, keeper_clear },
        { Py_tp_methods, keeper_methods },
        { Py_tp_getset, keeper_getset },
        { Py_tp_members, keeper_members },
        {}
};

static PyType_Spec keeper_spec = {
        .name = "sockkeeper._sockkeeper.Keeper",
        .basicsize = sizeof(KeeperObject),
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
        .slots = keeper_slots,
};

/* write_unraisable(exc, obj): hands EXC to sys.unraisablehook, naming OBJ,
 * as the interpreter does for an exception it cannot raise anywhere. */
static PyObject *write_unraisable(PyObject *mod, PyObject *args) {
        PyObject *exc, *obj;

        if (!PyArg_ParseTuple(args, "OO", &exc, &obj))
                return NULL;
        if (!PyExceptionInstance_Check(exc)) {
                PyErr_SetString(PyExc_TypeError, "exc must be an exception");
                return NULL;
        }
        PyErr_Restore(Py_NewRef(PyExceptionInstance_Class(exc)), Py_NewRef(exc),
                      PyException_GetTraceback(exc));
        PyErr_WriteUnraisable(obj);
        Py_RETURN_NONE;
}

static PyObject *event_type_name(PyObject *mod, PyObject *arg) {
        long t = PyLong_AsLong(arg);
        const char *s;

        if (t == -1 && PyErr_Occurred())
                return NULL;
        s = sk_event_type_to_string((sk_event_type) t);
        if (!s)
                Py_RETURN_NONE;
        return PyUnicode_FromString(s);
}

static PyMethodDef module_methods[] = {
        { "write_unraisable", write_unraisable, METH_VARARGS,
          "write_unraisable(exc, obj)\n--\n\nReport EXC through sys.unraisablehook." },
        { "event_type_name", event_type_name, METH_O,
          "event_type_name(type)\n--\n\nThe library's name of an event type, or None." },
        {}
};

static int module_exec(PyObject *m) {
        static const struct {
                const char *name;
                long value;
        } types[] = {
                { "EVENT_REFRESHED", SK_EVENT_REFRESHED },
                { "EVENT_RELINKED", SK_EVENT_RELINKED },
                { "EVENT_REBOUND", SK_EVENT_REBOUND },
                { "EVENT_CONFLICT", SK_EVENT_CONFLICT },
                { "EVENT_ERROR", SK_EVENT_ERROR },
                { "EVENT_PARENT_RESTORED", SK_EVENT_PARENT_RESTORED },
                { "EVENT_ATTACHED", SK_EVENT_ATTACHED },
                { "EVENT_LOST", SK_EVENT_LOST },
        };
        PyObject *type;

        type = PyType_FromSpec(&keeper_spec);
        if (!type)
                return -1;
        if (PyModule_AddObject(m, "Keeper", type) < 0) {
                Py_DECREF(type);
                return -1;
        }
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
                if (PyModule_AddIntConstant(m, types[i].name, types[i].value) < 0)
                        return -1;
        return 0;
}

static PyModuleDef_Slot module_slots[] = {
        { Py_mod_exec, module_exec },
        {}
};

static struct PyModuleDef module_def = {
        PyModuleDef_HEAD_INIT,
        .m_name = "sockkeeper._sockkeeper",
        .m_doc = "The C core of sockkeeper, over libsockkeeper. Use the sockkeeper package.",
        .m_methods = module_methods,
        .m_slots = module_slots,
};

PyMODINIT_FUNC PyInit__sockkeeper(void);
PyMODINIT_FUNC PyInit__sockkeeper(void) {
        return PyModuleDef_Init(&module_def);
}
