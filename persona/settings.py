"""A setting, declared once: its default, its ``PERSONA_*`` variable, its check and its
docs line, in one :func:`setting` call on the class that has it.

:class:`Settings` is the base such a class is built on (:class:`~persona.Configuration`):
its constructor, checked assignment, ``replace()``, the revision clients compare, and
the rule that a value in use by a client is not changed in place.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Generic, Optional, TypeVar, overload

from .exceptions import ApiException, ApiTypeError, ApiValueError

if TYPE_CHECKING:
    from typing_extensions import Self, dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda cls: cls


__all__ = ["Setting", "SettingTypeError", "Settings", "setting"]

G = TypeVar("G")
S = TypeVar("S")
T = TypeVar("T", bound="Settings")

#: A check: the setting's name and a value in, the value to keep out (or an exception).
Check = Callable[[str, Any], Any]
#: An environment reader: the variable's name and the setting's, the value or None.
EnvReader = Callable[[str, str], Optional[Any]]


class SettingTypeError(ApiTypeError, ApiValueError):
    """A setting of the wrong type: an ApiTypeError, and also an ApiValueError, so that
    ``except ValueError`` around a Configuration catches every refused setting."""


class Setting(Generic[G, S]):
    """One setting of a :class:`Settings` class: reading gives a ``G``, assigning takes an
    ``S`` (checked). Made by :func:`setting`."""

    __slots__ = ("check", "default", "doc", "env", "kw_only", "name", "read_env", "shown")

    def __init__(
        self,
        default: Any,
        check: Check,
        doc: str,
        env: Optional[str],
        read_env: Optional[EnvReader],
        kw_only: bool,
        shown: tuple[Optional[str], Optional[str]],
    ) -> None:
        self.default = default
        self.check = check
        self.doc = doc
        self.env = env
        self.read_env = read_env
        self.kw_only = kw_only
        self.shown = shown
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: Any) -> Setting[G, S]: ...
    @overload
    def __get__(self, obj: object, owner: Any) -> G: ...
    def __get__(self, obj: Any, owner: Any) -> Any:
        if obj is None:
            return self
        return obj.__dict__[self.name]

    def __set__(self, obj: Settings, value: S) -> None:
        obj._assign(self, value)

    def initial(self) -> Any:
        """The value when none is given: the environment's, else the default."""
        if self.env is not None and self.read_env is not None:
            value = self.read_env(self.env, self.name)
            if value is not None:
                return value
        return self.default() if callable(self.default) else self.default

    def checked(self, value: Any) -> Any:
        """``value`` as the setting keeps it, or the exception naming the setting; the
        value never reaches the exception's context (it may be a secret)."""
        problem: Optional[BaseException] = None
        try:
            return self.check(self.name, value)
        except SettingTypeError:
            raise
        except ApiTypeError as exc:
            problem = SettingTypeError(exc.reason or self.name)
        except ApiException:
            raise
        except Exception as exc:
            # A value that breaks a check in a way it did not foresee (a str subclass
            # whose methods raise, an int whose comparison does) is still ours to refuse.
            problem = ApiValueError(f"{self.name}: cannot be taken ({type(exc).__name__})")
        raise problem

    def docs_row(self) -> str:
        """This setting's row of the settings table in docs/Configuration.md."""
        default, env = self.shown
        if default is None:
            default = f"`{self.default!r}`"
        if env is None:
            env = f"`{self.env}`" if self.env else "—"
        return f"| `{self.name}` | {default} | {env} | {self.doc} |"


def setting(
    *,
    default: Any,
    check: Check,
    doc: str,
    env: Optional[str] = None,
    read_env: Optional[EnvReader] = None,
    kw_only: bool = True,
    shown_default: Optional[str] = None,
    shown_env: Optional[str] = None,
) -> Any:
    """Declare a setting: its ``default`` (a value, or a function of nothing), the
    ``check`` every value goes through, its ``doc`` (the docs table's line), and the
    environment variable ``env`` read by ``read_env`` when no value is given.
    ``shown_default`` / ``shown_env`` word the docs table where the value itself would
    not (``certifi's bundle``). Typed as Any so that it can stand as the default."""
    return Setting(default, check, doc, env, read_env, kw_only, (shown_default, shown_env))


@dataclass_transform(kw_only_default=True, field_specifiers=(setting,))
class Settings:
    """The base of a class of settings: each declared once with :func:`setting`.

    A value passed to the constructor wins over the environment, which wins over the
    default; ``None`` means "not given". Every value is checked when set, and a misspelt
    name is an ``AttributeError`` naming the close match. Once a client uses the
    settings (:meth:`mark_in_use`), changing one in place is deprecated: it warns,
    naming ``with_options`` and :meth:`replace`, and (in 1.x) still takes effect.
    """

    #: The settings in their declared order (filled for each subclass).
    _settings: ClassVar[dict[str, Setting[Any, Any]]] = {}
    #: How a client offers the same change without touching shared settings.
    _instead: ClassVar[str] = "client.with_options({name}=...)"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found = {**cls._settings}
        for name, value in vars(cls).items():
            if isinstance(value, Setting):
                found[name] = value
        cls._settings = found

    def __init__(self, *args: Any, **values: Any) -> None:
        object.__setattr__(self, "_revision", 0)
        object.__setattr__(self, "_in_use", False)
        positional = [s for s in self._settings.values() if not s.kw_only]
        if len(args) > len(positional):
            raise TypeError(
                f"{type(self).__name__}() takes {len(positional)} positional argument(s); "
                "pass the other settings by name"
            )
        for spec, value in zip(positional, args):
            if spec.name in values:
                raise TypeError(f"{type(self).__name__}() got {spec.name!r} twice")
            values[spec.name] = value
        unknown = values.keys() - self._settings.keys()
        if unknown:
            self._no_such_setting(sorted(unknown)[0], TypeError)
        for spec in self._settings.values():
            value = values.get(spec.name)
            self.__dict__[spec.name] = spec.checked(spec.initial() if value is None else value)
        self._after_init()

    def _after_init(self) -> None:
        """Settings that follow from others, once all are set (a subclass's rule)."""

    @classmethod
    def _no_such_setting(cls, name: str, error: type[Exception]) -> None:
        import difflib  # only on this error path: not paid for by every import

        close = difflib.get_close_matches(name, cls._settings, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise error(
            f"{cls.__name__} has no setting {name!r}{hint} (settings: {', '.join(cls._settings)})"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._settings:
            self._no_such_setting(name, AttributeError)
        object.__setattr__(self, name, value)  # the Setting's __set__: checked

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} settings cannot be deleted ({name!r})")

    def _assign(self, spec: Setting[Any, Any], value: Any) -> None:
        value = spec.checked(spec.initial() if value is None else value)
        if self.__dict__["_in_use"]:
            warnings.warn(
                f"{type(self).__name__}.{spec.name}: these settings are in use by a client; "
                f"changing them in place is deprecated and will raise in persona 2.0. Use "
                f"{self._instead.format(name=spec.name)} for a client with another value, "
                f"or {type(self).__name__}.replace({spec.name}=...) for new settings",
                DeprecationWarning,
                stacklevel=4,  # _assign, Setting.__set__, __setattr__, the caller
            )
        self.__dict__[spec.name] = value
        self.__dict__["_revision"] += 1  # clients compare it with what they last read
        self._changed()

    def _changed(self) -> None:
        """Called after a setting changed (a subclass drops what it derived)."""

    @property
    def revision(self) -> int:
        """A number that grows with every change of a setting (clients re-read on it)."""
        return self.__dict__["_revision"]  # type: ignore[no-any-return]

    @property
    def in_use(self) -> bool:
        """Whether a client uses these settings (then they are not changed in place)."""
        return self.__dict__["_in_use"]  # type: ignore[no-any-return]

    def mark_in_use(self) -> None:
        """Called by a client that reads these settings: from now on, changing one in
        place warns (and will raise in 2.0)."""
        self.__dict__["_in_use"] = True

    def replace(self, **changes: Any) -> Self:
        """New settings: these, with ``changes`` (checked); not in use by any client."""
        unknown = changes.keys() - self._settings.keys()
        if unknown:
            self._no_such_setting(sorted(unknown)[0], TypeError)
        copy = self._copy()
        for name, value in changes.items():
            spec = self._settings[name]
            copy.__dict__[name] = spec.checked(spec.initial() if value is None else value)
        copy._changed()
        return copy

    def _copy(self) -> Self:
        cls = type(self)
        copy = cls.__new__(cls)
        copy.__dict__.update(self.__dict__)
        copy.__dict__["_revision"] = 0
        copy.__dict__["_in_use"] = False
        return copy

    def __copy__(self) -> Self:
        return self._copy()

    @classmethod
    def docs_table(cls) -> str:
        """The settings as docs/Configuration.md shows them (a test keeps them equal)."""
        rows = [spec.docs_row() for spec in cls._settings.values()]
        return "\n".join(
            ["| setting | default | environment | meaning |", "| --- | --- | --- | --- |", *rows]
        )
