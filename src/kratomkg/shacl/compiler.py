"""Compile SHACL shapes into SPARQL SELECT queries whose rows are the violations.

Every targeted shape becomes a few queries that project ``?this`` (the focus node) and, for
constraints on value nodes, ``?value``. The value-node tests of one shape share one query
(each test a boolean column), its counts share one GROUP BY, and the rest get a query each.
A shape used inside another (``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``,
``sh:qualifiedValueShape``, ``sh:property``) becomes a nested condition: ``EXISTS`` over the
union of its own violation patterns, so the whole of SHACL Core for non-recursive shapes is
plain SPARQL 1.1. For remote endpoints a ``portable`` form avoids the constructs Virtuoso 7
answers wrongly (see :func:`compile_shapes`); the W3C suite runs in both forms.

SHACL-SPARQL constraints and SPARQL-based constraint components are compiled with their
pre-bound variables (:mod:`kratomkg.shacl.prebinding`): joined into the query when that is
exact, else run once per focus node. A feature the compiler cannot translate faithfully
(recursive shapes, ``$shapesGraph``, SHACL-AF rules) makes :func:`compile_shapes` raise
:class:`UnsupportedShapeError`: a shape is refused, never skipped in silence.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kratomkg.errors import KratomKGError
from kratomkg.report import Severity
from kratomkg.shacl.decorrelate import decorrelate
from kratomkg.shacl.literals import AS_WRITTEN, sparql_value
from kratomkg.shacl.paths import PathError, sparql_path
from kratomkg.shacl.prebinding import PreBindingError, check_query, joinable, split_query

__all__ = ["CompiledConstraint", "UnsupportedShapeError", "compile_shapes", "named_classes"]

_TYPE = f"<{RDF.type}>"
_SUBCLASS = f"<{RDFS.subClassOf}>"
_MAX_NESTED_COUNT = 8
_QUALIFIED = "?qualified_"  # stands for the counted value until each count names its own


class UnsupportedShapeError(KratomKGError):
    """A shape uses a SHACL feature that the SPARQL engine does not compile."""

    def __init__(self, shape: Node, reason: str) -> None:
        super().__init__(
            f"shape {_name(shape)}: {reason}; the SPARQL engine refuses it rather than skip a "
            "constraint (use --engine pyshacl)"
        )


@dataclass(frozen=True)
class CompiledConstraint:
    """One constraint of one shape, as a SPARQL query returning its violations.

    ``message`` may hold ``{?var}`` placeholders, filled from the row. ``value_is_focus``
    says that a row without ``?value`` reports the focus node as value (node shapes).
    Constraints that share a query name, in ``flag``, the boolean column true where this
    one fails. ``shape`` names the rule in text reports (a SPARQL-based constraint itself);
    ``source_shape`` and ``source_constraint`` are the shapes-graph terms of the report, and
    ``path`` the ``sh:resultPath`` (an IRI, or a path's blank node in the shapes graph).

    A per-focus constraint (``focus_query`` set) runs ``query`` once for each row of
    ``focus_query``, with the row's ``?this`` (and ``?value``) and the ``constants``
    substituted for the pre-bound variables; an ``ask`` query reports the row when false.
    """

    query: str
    shape: str
    path: Node | None
    component: str
    severity: Severity
    message: str
    value_is_focus: bool = False
    flag: str | None = None
    source_shape: Node | None = None
    source_constraint: Node | None = None
    severity_term: Node | None = None
    focus_query: str | None = None
    constants: tuple[tuple[str, Node], ...] = ()
    ask: bool = False
    value_column: str = "value"


# --- the parameters SHACL Core defines ---------------------------------------------------------

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_NON_VALIDATING = {
    *_TARGETS,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.deactivated,
    SH.path,
    SH.prefixes,
}
_CORE = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount,
    SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive,
    SH.minLength, SH.maxLength, SH.pattern, SH.flags, SH.languageIn, SH.uniqueLang,
    SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
    SH["not"], SH["and"], SH["or"], SH.xone, SH.node, SH.property,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint, SH.closed, SH.ignoredProperties,
    SH.hasValue, SH["in"], SH.sparql,
}  # fmt: skip
_PROPERTY_ONLY = {
    SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan, SH.lessThanOrEquals,
    SH.qualifiedValueShape,
}  # fmt: skip
_NODE_KINDS: dict[URIRef, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPARISONS: dict[URIRef, str] = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
# Lexical spaces a remote endpoint cannot be asked about: checked by pattern there (the
# embedded store marks every ill-formed literal when it loads it).
_LEXICAL: dict[URIRef, str] = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    XSD.boolean: r"^(true|false|1|0)$",
    XSD.gYear: r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    XSD.date: r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$",
}


def _name(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r") + '"'


def _component(local: str) -> str:
    return str(SH[local + "ConstraintComponent"])


@dataclass
class _Part:
    """One constraint's violations for a focus variable, as SPARQL text.

    ``pattern`` is a group pattern that yields one solution per violation once the focus
    variable is bound (and binds ``value``/``path`` when the result has them). A value-node
    test also gives ``condition`` (true where a value node fails) with the ``setup``
    patterns it needs, so the top level can test many on one pass over the values.
    """

    component: str
    pattern: str
    value: str | None = None
    path_var: str | None = None
    condition: str | None = None
    setup: str = ""
    message: str | None = None
    count: tuple[str, str, str] | None = None  # (comparison, value filter, value var)
    constraint: Node | None = None
    severity: Node | None = None
    keep: str | None = None  # a variable that tells results apart (one per pair)
    #: An expression equal to ``EXISTS { pattern }`` when the pattern holds no triple
    #: pattern: a nested condition uses it directly (Virtuoso reads an EXISTS over a group
    #: of filters alone as always true).
    expression: str | None = None


@dataclass
class _Sparql:
    """A SPARQL-based constraint or component instance, before it is bound."""

    text: str
    prefixes: dict[str, str]
    component: str
    constraint: Node | None
    constants: dict[str, Node]
    message: str | None
    ask: bool


@dataclass
class _Compiler:
    shapes: Graph
    encoded: bool
    default_prefixes: Mapping[str, str]
    portable: bool = False
    subclasses: Mapping[Node, tuple[Node, ...]] | None = None
    counter: Iterator[int] = field(default_factory=itertools.count)
    components: list[tuple[Node, list[tuple[URIRef, bool]]]] = field(default_factory=list)

    # --- reading the shapes graph ------------------------------------------------------------

    def fresh(self, stem: str) -> str:
        return f"?{stem}{next(self.counter)}_"

    def one(self, shape: Node, parameter: URIRef) -> Node | None:
        values = list(self.shapes.objects(shape, parameter))
        if len(values) > 1:
            raise UnsupportedShapeError(shape, f"more than one {self._curie(parameter)}")
        return values[0] if values else None

    def _curie(self, iri: URIRef) -> str:
        return "sh:" + iri[len(str(SH)) :] if iri.startswith(str(SH)) else f"<{iri}>"

    def integer(self, shape: Node, parameter: URIRef) -> int | None:
        value = self.one(shape, parameter)
        if value is None:
            return None
        if not (isinstance(value, Literal) and isinstance(value.toPython(), int)):
            raise UnsupportedShapeError(shape, f"{self._curie(parameter)} must be an integer")
        return int(value.toPython())

    def boolean(self, shape: Node, parameter: URIRef) -> bool:
        """Whether ``parameter`` is ``true``: SHACL names that value only, not ``"1"``."""
        value = self.one(shape, parameter)
        return isinstance(value, Literal) and value.datatype == XSD.boolean and str(value) == "true"

    def members(self, shape: Node, node: Node) -> list[Node]:
        if node != RDF.nil and (node, RDF.first, None) not in self.shapes:
            raise UnsupportedShapeError(shape, f"{node.n3()} is not an RDF list")
        return list(Collection(self.shapes, node))

    def term(self, shape: Node, node: Node) -> str:
        """Write a constant of the shapes graph in SPARQL, as the store holds it."""
        if isinstance(node, URIRef):
            return f"<{node}>"
        if isinstance(node, Literal):
            if self.encoded and node.datatype is not None and not node.language:
                from kratomkg.shacl.literals import _stored_datatype

                stored = _stored_datatype(str(node), str(node.datatype))
                if stored is not None:
                    return f"{_string(str(node))}^^<{stored}>"
            return node.n3()
        raise UnsupportedShapeError(shape, f"blank node {node.n3()} used as a constant")

    def path(self, shape: Node) -> str:
        node = self.one(shape, SH.path)
        if node is None:
            raise UnsupportedShapeError(shape, "property shape without sh:path")
        try:
            return sparql_path(self.shapes, node)
        except PathError as exc:
            raise UnsupportedShapeError(shape, f"sh:path: {exc}") from None

    def is_property(self, shape: Node) -> bool:
        return (shape, SH.path, None) in self.shapes

    def severity(self, shape: Node) -> Node:
        return self.one(shape, SH.severity) or SH.Violation

    def check_parameters(self, shape: Node) -> None:
        known = _CORE | _NON_VALIDATING
        if (None, SH.sparql, shape) in self.shapes:  # the shape is its own SPARQL constraint
            known = known | {SH.select}
        for predicate in sorted(set(self.shapes.predicates(shape, None)), key=str):
            if not isinstance(predicate, URIRef) or not predicate.startswith(str(SH)):
                continue
            if predicate not in known:
                raise UnsupportedShapeError(shape, f"{self._curie(predicate)} is not compiled")
            if predicate in _PROPERTY_ONLY and not self.is_property(shape):
                raise UnsupportedShapeError(
                    shape, f"{self._curie(predicate)} on a node shape (it needs sh:path)"
                )

    def value(self, value: str) -> str:
        return sparql_value(value) if self.encoded else value

    def instance_of(self, shape: Node, var: str, cls: Node) -> str:
        """Write a group pattern that matches where ``var`` is a SHACL instance of ``cls``."""
        constant = self.term(shape, cls)
        if not self.portable:
            return f"{var} {_TYPE}/{_SUBCLASS}* {constant} ."
        kind = self.fresh("type")
        known = None if self.subclasses is None else self.subclasses.get(cls)
        if known is None or not all(isinstance(k, URIRef) for k in known):
            # Virtuoso evaluates a transitive path bound from outside for one row only;
            # without the subclasses (or with a blank one) this is the best it is given.
            return f"{var} {_TYPE} {kind} . {kind} {_SUBCLASS}* {constant} ."
        members = ", ".join(f"<{k}>" for k in sorted({*known, cls}, key=str))
        return f"{var} {_TYPE} {kind} . FILTER ({kind} IN ({members}))"

    def same(self, shape: Node, var: str, node: Node) -> str:
        """``sameTerm(var, node)`` for a constant ``node``, in a form every store answers.

        Virtuoso 7 answers ``sameTerm`` of a variable and a constant wrongly (false for
        equal terms, in a filter); the portable form compares kind, lexical form,
        datatype and language instead, which for one term and one constant is the same.
        """
        constant = self.term(shape, node)
        if not self.portable:
            return f"sameTerm({var}, {constant})"
        if isinstance(node, URIRef):
            return f"(isIRI({var}) && {var} = {constant})"
        if not isinstance(node, Literal):  # pragma: no cover - term() refuses blank nodes
            raise UnsupportedShapeError(shape, f"{node.n3()} used as a constant")
        lexical = _string(str(node))
        if node.language:
            language = _string(node.language.lower())
            return (
                f"(isLiteral({var}) && LCASE(LANG({var})) = {language} && STR({var}) = {lexical})"
            )
        datatype = str(node.datatype or XSD.string)
        if self.encoded:
            from kratomkg.shacl.literals import _stored_datatype

            datatype = _stored_datatype(str(node), datatype) or datatype
        return (
            f'(isLiteral({var}) && LANG({var}) = "" '
            f"&& sameTerm(DATATYPE({var}), <{datatype}>) && STR({var}) = {lexical})"
        )

    # --- the value nodes --------------------------------------------------------------------

    def value_nodes(self, shape: Node, focus: str, value: str | None) -> tuple[str, str]:
        """Return the variable holding the value nodes and the pattern binding it."""
        if not self.is_property(shape):
            return focus, ""
        value = value or self.fresh("v")
        return value, f"{focus} {self.path(shape)} {value} ."

    # --- nested conformance -----------------------------------------------------------------

    def violates(self, shape: Node, node: str, stack: tuple[Node, ...]) -> str:
        """Return a SPARQL condition true when ``node`` does not conform to ``shape``."""
        if shape in stack:
            raise UnsupportedShapeError(shape, "recursive shapes are not compiled")
        if self.boolean(shape, SH.deactivated):
            return "false"
        parts = self.parts(shape, node, (*stack, shape), nested=True)
        tests = [p.expression for p in parts if p.expression is not None]
        patterns = [p.pattern for p in parts if p.expression is None]
        if patterns:
            tests.append("EXISTS { " + " UNION ".join(f"{{ {p} }}" for p in patterns) + " }")
        if not tests:
            return "false"
        return tests[0] if len(tests) == 1 else " || ".join(f"({t})" for t in tests)

    def parts(
        self, shape: Node, focus: str, stack: tuple[Node, ...], *, nested: bool
    ) -> list[_Part]:
        """Every constraint of ``shape`` for focus variable ``focus``, as patterns.

        At the top level (``nested`` false) the focus is ``?this`` and the value ``?value``.
        """
        self.check_parameters(shape)
        value, values = self.value_nodes(shape, focus, None if nested else "?value")
        is_property = self.is_property(shape)
        parts: list[_Part] = []

        def test(component: str, condition: str, setup: str = "", message: str = "") -> None:
            pattern = f"{values} {setup} FILTER ({condition})"
            alone = not values and not setup  # a filter alone: EXISTS is COALESCE(…, false)
            parts.append(
                _Part(
                    _component(component),
                    pattern,
                    value=value,
                    condition=condition,
                    setup=setup,
                    message=message or None,
                    expression=f"COALESCE({condition}, false)" if alone else None,
                )
            )

        g = self.shapes
        for cls in sorted(g.objects(shape, SH["class"]), key=_name):
            if nested or self.portable:
                test("Class", f"NOT EXISTS {{ {self.instance_of(shape, value, cls)} }}")
                continue
            # Joined as an OPTIONAL, the class test shares the one pass over the values.
            constant = self.term(shape, cls)
            ok = self.fresh("classOk")
            klass = self.fresh("class")
            setup = (
                f"OPTIONAL {{ {value} {_TYPE} {klass} . {klass} {_SUBCLASS}* {constant} . "
                f"BIND (true AS {ok}) }}"
            )
            test("Class", f"!BOUND({ok})", setup)
        datatype = self.one(shape, SH.datatype)
        if datatype is not None:
            if not isinstance(datatype, URIRef):
                raise UnsupportedShapeError(shape, "sh:datatype must be an IRI")
            test("Datatype", f"!({self.datatype_test(value, datatype)})")
        node_kind = self.one(shape, SH.nodeKind)
        if node_kind is not None:
            if node_kind not in _NODE_KINDS:
                raise UnsupportedShapeError(shape, f"unknown sh:nodeKind {node_kind.n3()}")
            test("NodeKind", "!" + _NODE_KINDS[URIRef(str(node_kind))].format(v=value))
        for parameter, operator in _COMPARISONS.items():
            bound = self.one(shape, parameter)
            if bound is not None:
                if not isinstance(bound, Literal):
                    raise UnsupportedShapeError(shape, f"{self._curie(parameter)} needs a literal")
                local = parameter[len(str(SH)) :]
                condition = f"!COALESCE({self.value(value)} {operator} {bound.n3()}, false)"
                test(local[0].upper() + local[1:], condition)
        for parameter, operator, local in (
            (SH.minLength, "<", "MinLength"),
            (SH.maxLength, ">", "MaxLength"),
        ):
            length = self.integer(shape, parameter)
            if length is not None:
                test(local, f"isBlank({value}) || STRLEN(STR({value})) {operator} {length}")
        for pattern in sorted(g.objects(shape, SH.pattern), key=str):
            flags = self.one(shape, SH.flags)
            args = _string(str(pattern)) + (f", {_string(str(flags))}" if flags else "")
            test("Pattern", f"isBlank({value}) || !REGEX(STR({value}), {args})")
        languages = self.one(shape, SH.languageIn)
        if languages is not None:
            tags = [
                f"langMatches(LANG({value}), {_string(str(t))})"
                for t in self.members(shape, languages)
            ]
            test("LanguageIn", f"!(isLiteral({value}) && ({' || '.join(tags) or 'false'}))")
        allowed = self.one(shape, SH["in"])
        if allowed is not None:
            same = [self.same(shape, value, m) for m in self.members(shape, allowed)]
            test("In", f"!({' || '.join(same) or 'false'})")
        for member in sorted(g.objects(shape, SH.node), key=_name):
            test("Node", self.violates(member, value, stack))
        for member in sorted(g.objects(shape, SH["not"]), key=_name):
            test("Not", f"!({self.violates(member, value, stack)})")
        for lists, local in ((SH["and"], "And"), (SH["or"], "Or"), (SH.xone, "Xone")):
            for members_node in sorted(g.objects(shape, lists), key=_name):
                tests = [self.violates(m, value, stack) for m in self.members(shape, members_node)]
                if local == "And":
                    condition = " || ".join(f"({t})" for t in tests) or "false"
                elif local == "Or":
                    condition = " && ".join(f"({t})" for t in tests) or "true"
                else:
                    ones = " + ".join(f"IF({t}, 0, 1)" for t in tests) or "0"
                    condition = f"({ones}) != 1"
                test(local, condition)
        for other in sorted(g.objects(shape, SH.disjoint), key=_name):
            test("Disjoint", f"EXISTS {{ {focus} {self.term(shape, other)} {value} }}")
        for parameter, operator, local in (
            (SH.lessThan, "<", "LessThan"),
            (SH.lessThanOrEquals, "<=", "LessThanOrEquals"),
        ):
            for other in sorted(g.objects(shape, parameter), key=_name):
                # One result per pair that fails, so the pair's other value is projected.
                paired = self.fresh("bound")
                compare = f"COALESCE({self.value(value)} {operator} {self.value(paired)}, false)"
                other_term = self.term(shape, other)
                parts.append(
                    _Part(
                        _component(local),
                        f"{values} {focus} {other_term} {paired} . FILTER (!{compare})",
                        value=value,
                        keep=paired,
                    )
                )
        for other in sorted(g.objects(shape, SH.equals), key=_name):
            parts.extend(self.equals(shape, focus, value, values, self.term(shape, other)))
        has_value = self.one(shape, SH.hasValue)
        if has_value is not None:
            constant = self.term(shape, has_value)
            if is_property:
                absent = f"NOT EXISTS {{ {focus} {self.path(shape)} {constant} }}"
            else:
                absent = f"!{self.same(shape, focus, has_value)}"
            parts.append(_Part(_component("HasValue"), f"FILTER ({absent})", expression=absent))
        if self.boolean(shape, SH.closed):
            parts.append(self.closed(shape, value, values))
        if is_property:
            parts.extend(self.counts(shape, focus, stack))
            if self.boolean(shape, SH.uniqueLang):
                first, second = self.fresh("lang"), self.fresh("lang")
                path = self.path(shape)
                parts.append(
                    _Part(
                        _component("UniqueLang"),
                        f"{focus} {path} {first} . {focus} {path} {second} . "
                        f'FILTER (!sameTerm({first}, {second}) && LANG({first}) != "" '
                        f"&& LCASE(LANG({first})) = LCASE(LANG({second})))",
                        path_var=None,
                        message=f"LCASE(LANG({first}))",
                    )
                )
        for prop in sorted(g.objects(shape, SH.property), key=_name):
            if nested:
                if self.boolean(prop, SH.deactivated):
                    continue
                if prop in stack:
                    raise UnsupportedShapeError(prop, "recursive shapes are not compiled")
                for part in self.parts(prop, value, (*stack, prop), nested=True):
                    alone = None if values else part.expression
                    joined = f"{values} {part.pattern}"
                    parts.append(_Part(part.component, joined, expression=alone))
        for sparql in self.sparql_constraints(shape):
            parts.extend(self.sparql_nested(shape, sparql, focus, value, values) if nested else [])
        return parts

    def datatype_test(self, value: str, datatype: URIRef) -> str:
        if datatype == RDF.langString:
            return f'isLiteral({value}) && LANG({value}) != ""'
        ok = f"sameTerm(DATATYPE({value}), <{datatype}>)"
        if self.encoded and datatype != XSD.string:
            ok = f"({ok} || sameTerm(DATATYPE({value}), <{AS_WRITTEN}{datatype}>))"
        test = f"isLiteral({value}) && {ok}"
        if datatype in _LEXICAL:
            test += f" && REGEX(STR({value}), {_string(_LEXICAL[datatype])})"
        return test

    def equals(self, shape: Node, focus: str, value: str, values: str, other: str) -> list[_Part]:
        """Two tests: value nodes the other property lacks, and its values they lack.

        Two parts, not one UNION: a UNION branch is evaluated apart from the group around
        it, so a branch that only filters would not see the focus node bound.
        """
        out = self.fresh("equal")
        if self.is_property(shape):
            missing = f"FILTER NOT EXISTS {{ {focus} {self.path(shape)} {out} }}"
        else:
            missing = f"FILTER (!sameTerm({out}, {focus}))"
        component = _component("Equals")
        return [
            _Part(
                component, f"{values} FILTER NOT EXISTS {{ {focus} {other} {value} }}", value=value
            ),
            _Part(component, f"{focus} {other} {out} . {missing}", value=out),
        ]

    def closed(self, shape: Node, value: str, values: str) -> _Part:
        allowed: set[Node] = set()
        for prop in self.shapes.objects(shape, SH.property):
            path = self.one(prop, SH.path)
            if isinstance(path, URIRef):
                allowed.add(path)
        ignored = self.one(shape, SH.ignoredProperties)
        if ignored is not None:
            allowed.update(self.members(shape, ignored))
        predicate, obj = self.fresh("closedPath"), self.fresh("closedValue")
        names = ", ".join(self.term(shape, p) for p in sorted(allowed, key=_name))
        condition = f"FILTER ({predicate} NOT IN ({names}))" if names else ""
        return _Part(
            _component("Closed"),
            f"{values} {value} {predicate} {obj} . {condition}",
            value=obj,
            path_var=predicate,
        )

    def counts(self, shape: Node, focus: str, stack: tuple[Node, ...]) -> list[_Part]:
        """sh:minCount, sh:maxCount and the qualified counts of a property shape."""
        parts: list[_Part] = []
        path = self.path(shape)
        wanted: list[tuple[str, str, int, str]] = []  # (component, op, bound, value filter)
        minimum = self.integer(shape, SH.minCount)
        if minimum is not None and minimum > 0:
            wanted.append(("MinCount", "<", minimum, ""))
        maximum = self.integer(shape, SH.maxCount)
        if maximum is not None:
            wanted.append(("MaxCount", ">", maximum, ""))
        qualified = self.one(shape, SH.qualifiedValueShape)
        if qualified is not None:
            x = _QUALIFIED
            qualifies = f"!({self.violates(qualified, x, stack)})"
            if self.boolean(shape, SH.qualifiedValueShapesDisjoint):
                for sibling in self.siblings(shape, qualified):
                    qualifies += f" && ({self.violates(sibling, x, stack)})"
            low = self.integer(shape, SH.qualifiedMinCount)
            high = self.integer(shape, SH.qualifiedMaxCount)
            if low is not None and low > 0:
                wanted.append(("QualifiedMinCount", "<", low, qualifies))
            if high is not None:
                wanted.append(("QualifiedMaxCount", ">", high, qualifies))
        for component, operator, bound, qualifies in wanted:
            nested = self.nested_count(focus, path, operator, bound, qualifies)
            x = self.fresh("counted")
            condition = f"FILTER ({qualifies.replace(_QUALIFIED, x)})" if qualifies else ""
            parts.append(
                _Part(
                    _component(component),
                    f"FILTER ({nested})",
                    count=(f"{operator} {bound}", condition, x),
                    expression=nested,
                )
            )
        return parts

    def nested_count(self, focus: str, path: str, operator: str, bound: int, qualifies: str) -> str:
        """Count distinct values without a sub-SELECT: ``bound`` (+1) values pairwise apart.

        The answer is an expression (an ``EXISTS``), true where the count fails.
        """
        needed = bound if operator == "<" else bound + 1
        if needed > _MAX_NESTED_COUNT:
            raise UnsupportedShapeError(
                URIRef(""), f"a nested count above {_MAX_NESTED_COUNT} is not compiled"
            )
        if needed == 0:
            return "false"
        names = [self.fresh("n") for _ in range(needed)]
        patterns = " ".join(f"{focus} {path} {n} ." for n in names)
        apart = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
        apart += [qualifies.replace(_QUALIFIED, n) for n in names if qualifies]
        filters = f"FILTER ({' && '.join(apart)})" if apart else ""
        keyword = "NOT EXISTS" if operator == "<" else "EXISTS"
        return f"{keyword} {{ {patterns} {filters} }}"

    def siblings(self, shape: Node, qualified: Node) -> list[Node]:
        found: set[Node] = set()
        for parent in self.shapes.subjects(SH.property, shape):
            for prop in self.shapes.objects(parent, SH.property):
                for sibling in self.shapes.objects(prop, SH.qualifiedValueShape):
                    if sibling != qualified:
                        found.add(sibling)
        return sorted(found, key=_name)

    # --- SHACL-SPARQL -----------------------------------------------------------------------

    def prefixes(self, node: Node) -> dict[str, str]:
        declared: dict[str, str] = {}
        todo = list(self.shapes.objects(node, SH.prefixes))
        seen: set[Node] = set()
        while todo:
            ontology = todo.pop()
            if ontology in seen:
                continue
            seen.add(ontology)
            todo.extend(self.shapes.objects(ontology, OWL.imports))
            for declaration in self.shapes.objects(ontology, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                if isinstance(prefix, Literal) and isinstance(namespace, Literal | URIRef):
                    if declared.get(str(prefix), str(namespace)) != str(namespace):
                        raise UnsupportedShapeError(node, f"prefix {prefix} declared twice")
                    declared[str(prefix)] = str(namespace)
        for known, iri in self.default_prefixes.items():
            declared.setdefault(known, iri)
        return declared

    def sparql_constraints(self, shape: Node) -> list[_Sparql]:
        """List the shape's sh:sparql constraints and its SPARQL-based component instances."""
        found: list[_Sparql] = []
        for constraint in sorted(self.shapes.objects(shape, SH.sparql), key=_name):
            for predicate in set(self.shapes.predicates(constraint, None)):
                if str(predicate).startswith(str(SH)) and predicate not in (
                    SH.select,
                    SH.message,
                    SH.prefixes,
                    SH.deactivated,
                    *_CORE,
                    *_NON_VALIDATING,
                ):  # fmt: skip  (a node can be a shape and a SPARQL constraint at once)
                    raise UnsupportedShapeError(
                        constraint, f"{self._curie(URIRef(str(predicate)))} on a SPARQL constraint"
                    )
            if self.boolean(constraint, SH.deactivated):
                continue
            select = self.one(constraint, SH.select)
            if not isinstance(select, Literal):
                raise UnsupportedShapeError(constraint, "SPARQL constraint without one sh:select")
            found.append(
                _Sparql(
                    str(select), self.prefixes(constraint), str(SH.SPARQLConstraintComponent),
                    constraint, {}, self.message(constraint), ask=False,
                )
            )  # fmt: skip
        for component, parameters in self.components:
            found.extend(self.component_instances(shape, component, parameters))
        return found

    def message(self, node: Node) -> str | None:
        messages = sorted(str(m) for m in self.shapes.objects(node, SH.message))
        return messages[0] if messages else None

    def component_instances(
        self, shape: Node, component: Node, parameters: list[tuple[URIRef, bool]]
    ) -> Iterator[_Sparql]:
        values: list[list[tuple[str, Node]]] = []
        for path, optional in parameters:
            found = sorted(self.shapes.objects(shape, path), key=_name)
            if not found and not optional:
                return
            local = path.split("#")[-1].split("/")[-1]
            values.append([(local, v) for v in found] or [])
        if not any(values):
            return
        if self.is_property(shape):
            kinds = (SH.propertyValidator, SH.validator)
        else:
            kinds = (SH.nodeValidator, SH.validator)
        validator = next((v for k in kinds for v in self.shapes.objects(component, k)), None)
        if validator is None:
            return  # SHACL 6.2.3: no validator for this kind of shape, the component is ignored
        select = self.one(validator, SH.select)
        ask = self.one(validator, SH.ask)
        if (select is None) == (ask is None) or not isinstance(select or ask, Literal):
            raise UnsupportedShapeError(validator, "a validator needs one sh:select or sh:ask")
        message = self.message(validator) or self.message(component)
        for combination in itertools.product(*[v for v in values if v]):
            yield _Sparql(
                str(select or ask), self.prefixes(validator), str(component), None,
                dict(combination), message, ask=ask is not None,
            )  # fmt: skip

    def sparql_text(self, shape: Node, sparql: _Sparql) -> tuple[str, set[str]]:
        """Write $PATH and known constants into the query; return it and the names left."""
        from kratomkg.shacl.prebinding import substitute

        text = sparql.text
        prebound = {"this", "currentShape", "shapesGraph", *sparql.constants}
        if sparql.ask:
            prebound.add("value")
        owner = sparql.constraint or shape
        try:
            check_query(text, prebound)
        except PreBindingError as exc:
            raise UnsupportedShapeError(owner, str(exc)) from None
        from kratomkg.shacl.prebinding import mask

        masked = mask(text)
        if "$shapesGraph" in masked or "?shapesGraph" in masked:
            raise UnsupportedShapeError(owner, "$shapesGraph is not available to the SPARQL engine")
        if "$PATH" in masked:
            if not self.is_property(shape):
                raise UnsupportedShapeError(owner, "$PATH in a constraint of a node shape")
            text = text.replace("$PATH", self.path(shape))
        written = {
            name: self.term(owner, node)
            for name, node in sparql.constants.items()
            if not isinstance(node, BNode)
        }
        if not isinstance(shape, BNode):
            written["currentShape"] = f"<{shape}>"
        return substitute(text, written), prebound - set(written)

    def sparql_nested(
        self, shape: Node, sparql: _Sparql, focus: str, value: str, values: str
    ) -> list[_Part]:
        owner = sparql.constraint or shape
        text, prebound = self.sparql_text(shape, sparql)
        parts = split_query(text)
        if not joinable(parts.body, prebound) or parts.tail.strip() or sparql.prefixes:
            raise UnsupportedShapeError(
                owner, "a SPARQL constraint inside another shape must be joinable as written"
            )
        if sparql.ask:
            body = _rename(parts.body, {"this": focus, "value": value})
            return [_Part(sparql.component, f"{values} FILTER NOT EXISTS {{ {body} }}")]
        return [_Part(sparql.component, _rename(parts.body, {"this": focus}))]

    def read_components(self) -> None:
        kinds = set(self.shapes.transitive_subjects(RDFS.subClassOf, SH.ConstraintComponent))
        found = {c for kind in kinds for c in self.shapes.subjects(RDF.type, kind)}
        for component in sorted(found, key=_name):
            parameters: list[tuple[URIRef, bool]] = []
            for parameter in self.shapes.objects(component, SH.parameter):
                path = self.one(parameter, SH.path)
                if not isinstance(path, URIRef):
                    raise UnsupportedShapeError(component, "a parameter's sh:path must be an IRI")
                parameters.append((path, self.boolean(parameter, SH.optional)))
            if parameters:
                self.components.append((component, sorted(parameters, key=lambda p: str(p[0]))))


def _rename(text: str, names: Mapping[str, str]) -> str:
    """Rename pre-bound variables to the outer query's variables (same meaning once joined)."""
    import re

    from kratomkg.shacl.prebinding import mask

    masked = mask(text)
    out, position = [], 0
    pattern = re.compile(r"[?$](" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_])")
    for match in pattern.finditer(masked):
        out.append(text[position : match.start()])
        out.append(names[match.group(1)])
        position = match.end()
    out.append(text[position:])
    return "".join(out)


# --- the top level --------------------------------------------------------------------------

FocusPattern = Callable[[str], str]


def _severity_fields(node: Node) -> tuple[Severity, Node | None]:
    if node == SH.Warning:
        return "Warning", None
    if node == SH.Info:
        return "Info", None
    if node == SH.Violation:
        return "Violation", None
    return "Violation", node


class _TopLevel:
    """Turns the parts of each targeted shape into :class:`CompiledConstraint` queries."""

    def __init__(self, compiler: _Compiler) -> None:
        self.c = compiler
        self.out: list[CompiledConstraint] = []

    def focus_pattern(self, shape: Node) -> FocusPattern | None:
        g = self.c.shapes
        branches: list[str] = []
        classes = set(g.objects(shape, SH.targetClass))
        if _is_class(g, shape):
            classes.add(shape)
        nodes = sorted(g.objects(shape, SH.targetNode), key=_name)
        subjects_of = sorted(g.objects(shape, SH.targetSubjectsOf), key=_name)
        objects_of = sorted(g.objects(shape, SH.targetObjectsOf), key=_name)
        if not (classes or nodes or subjects_of or objects_of):
            return None
        ordered = sorted(classes, key=_name)
        class_terms = " ".join(self.c.term(shape, n) for n in ordered)
        node_terms = " ".join(self.c.term(shape, n) for n in nodes)

        def pattern(var: str) -> str:
            branches.clear()
            if class_terms and self.c.portable:
                # One branch per class: Virtuoso refuses a transitive path whose class end
                # comes from VALUES.
                branches.extend(f"{{ {self.c.instance_of(shape, var, n)} }}" for n in ordered)
            elif class_terms:
                tc = self.c.fresh("targetClass")
                branches.append(
                    f"{{ VALUES {tc} {{ {class_terms} }} {var} {_TYPE}/{_SUBCLASS}* {tc} . }}"
                )
            if node_terms:
                branches.append(f"{{ VALUES {var} {{ {node_terms} }} }}")
            for p in subjects_of:
                branches.append(f"{{ {var} {self.c.term(shape, p)} {self.c.fresh('o')} . }}")
            for p in objects_of:
                branches.append(f"{{ {self.c.fresh('s')} {self.c.term(shape, p)} {var} . }}")
            return f"{{ SELECT DISTINCT {var} WHERE {{ {' UNION '.join(branches)} }} }}"

        return pattern

    def emit(
        self, shape: Node, focus: FocusPattern, stack: tuple[Node, ...], keep: str = ""
    ) -> None:
        """Compile ``shape`` for the focus nodes ``focus`` binds.

        ``keep`` names variables every query projects besides ``?this``: the focus nodes'
        own parents, when a property shape sits under another, so that one value reached
        from two parents gives two results, as SHACL validates it once per parent.
        """
        c = self.c
        if c.boolean(shape, SH.deactivated):
            return
        if shape in stack:
            raise UnsupportedShapeError(shape, "recursive shapes are not compiled")
        stack = (*stack, shape)
        is_property = c.is_property(shape)
        path_node = c.one(shape, SH.path) if is_property else None
        severity, severity_term = _severity_fields(c.severity(shape))
        shape_message = c.message(shape)
        base = {
            "shape": _name(shape),
            "path": path_node,
            "severity": severity,
            "severity_term": severity_term,
            "source_shape": shape,
            "value_is_focus": not is_property,
        }
        values = f"?this {c.path(shape)} ?value ." if is_property else ""
        parts = c.parts(shape, "?this", stack, nested=False)
        head = focus("?this")

        def make(query: str, component: str, message: str | None, **extra: object) -> None:
            fields = {**base, **extra}
            self.out.append(
                CompiledConstraint(
                    query=query,
                    component=component,
                    message=shape_message or message or _default_message(component, path_node),
                    **fields,  # type: ignore[arg-type]
                )
            )

        tests = [p for p in parts if p.condition is not None]
        if tests and c.portable:
            # A query per test: Virtuoso computes some projected booleans wrongly.
            select = ("?this ?value" if is_property else "?this") + keep
            for p in tests:
                query = (
                    f"SELECT DISTINCT {select} WHERE {{ {head} {values} {p.setup} "
                    f"FILTER ({p.condition}) }}"
                )
                make(query, p.component, p.message)
        elif tests:
            # One pass over the value nodes: each test a boolean column.
            columns = " ".join(f"(({p.condition}) AS ?check{n}_)" for n, p in enumerate(tests))
            condition = " || ".join(f"({p.condition})" for p in tests)
            setup = " ".join(p.setup for p in tests)
            select = ("?this ?value" if is_property else "?this") + keep
            query = (
                f"SELECT DISTINCT {select} {columns} WHERE {{ {head} {values} {setup} "
                f"FILTER ({condition}) }}"
            )
            for n, p in enumerate(tests):
                make(query, p.component, p.message, flag=f"check{n}_")
        counts = [p for p in parts if p.count is not None]
        plain = [p for p in counts if not p.count[1]]  # type: ignore[index]
        for group in [[p] for p in plain] if c.portable else [plain] if plain else []:
            path = c.path(shape)
            x = group[0].count[2]  # type: ignore[index]
            count = f"COUNT(DISTINCT {x})"
            checks = [f"{count} {p.count[0]}" for p in group]  # type: ignore[index]
            if len(group) == 1 and checks[0] == f"{count} < 1":
                absent = f"FILTER NOT EXISTS {{ ?this {path} ?any_ }}"
                query = f"SELECT ?this{keep} WHERE {{ {head} {absent} }}"
                make(query, group[0].component, None)
            elif len(group) == 1:
                query = (
                    f"SELECT ?this{keep} WHERE {{ {head} OPTIONAL {{ ?this {path} {x} }} }} "
                    f"GROUP BY ?this{keep} HAVING ({checks[0]})"
                )
                make(query, group[0].component, None)
            else:
                columns = " ".join(f"(({check}) AS ?check{n}_)" for n, check in enumerate(checks))
                query = (
                    f"SELECT ?this{keep} {columns} WHERE {{ {head} "
                    f"OPTIONAL {{ ?this {path} {x} }} }} "
                    f"GROUP BY ?this{keep} HAVING ({' || '.join(checks)})"
                )
                for n, p in enumerate(group):
                    make(query, p.component, None, flag=f"check{n}_")
        for p in counts:
            if p in plain:
                continue
            operator, condition, x = p.count  # type: ignore[misc]
            query = (
                f"SELECT ?this{keep} WHERE {{ {head} "
                f"OPTIONAL {{ ?this {c.path(shape)} {x} {condition} }} }}"
                f" GROUP BY ?this{keep} HAVING (COUNT(DISTINCT {x}) {operator})"
            )
            make(query, p.component, None)
        for p in parts:
            if p.condition is not None or p.count is not None:
                continue
            select = "?this" + keep
            if p.value == "?value":
                select += " ?value"
            elif p.value is not None:  # the pattern may bind ?value to value nodes itself
                select += f" ({p.value} AS ?result_value_)"
            if p.keep is not None:
                select += f" {p.keep}"
            if p.path_var is not None:
                select += f" ({p.path_var} AS ?path)"
            if p.message is not None:  # uniqueLang: one result per language
                select += f" ({p.message} AS ?language_)"
            query = f"SELECT DISTINCT {select} WHERE {{ {head} {p.pattern} }}"
            message = "Language {?language_} is used by more than one value" if p.message else None
            make(
                query,
                p.component,
                message,
                value_is_focus=False if p.value is None else base["value_is_focus"],
                value_column="value" if p.value in (None, "?value") else "result_value_",
            )
        for sparql in c.sparql_constraints(shape):
            self.emit_sparql(shape, sparql, focus, base, is_property, keep)
        for prop in sorted(c.shapes.objects(shape, SH.property), key=_name):
            if is_property:
                outer = c.fresh("outer")
                path = c.path(shape)

                def inner(var: str, outer: str = outer, path: str = path) -> str:
                    return (
                        f"{{ SELECT DISTINCT {outer}{keep} {var} WHERE "
                        f"{{ {focus(outer)} {outer} {path} {var} }} }}"
                    )

                self.emit(prop, inner, stack, f"{keep} {outer}")
            else:
                self.emit(prop, focus, stack, keep)

    def emit_sparql(
        self,
        shape: Node,
        sparql: _Sparql,
        focus: FocusPattern,
        base: Mapping[str, object],
        is_property: bool,
        keep: str,
    ) -> None:
        c = self.c
        text, prebound = c.sparql_text(shape, sparql)
        parts = split_query(text)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(sparql.prefixes.items()))
        constants = tuple(
            sorted((n, v) for n, v in sparql.constants.items() if isinstance(v, BNode))
        )
        if isinstance(shape, BNode) and _mentions(text, "currentShape"):
            constants += (("currentShape", shape),)
        fields = {
            **base,
            "component": sparql.component,
            "message": sparql.message
            or c.message(shape)
            or _default_message(sparql.component, base["path"]),  # type: ignore[arg-type]
            "source_constraint": sparql.constraint,
            "shape": _name(sparql.constraint) if sparql.constraint is not None else base["shape"],
            "constants": constants,
        }
        values = f"?this {c.path(shape)} ?value ." if is_property else "BIND (?this AS ?value)"
        simple = joinable(parts.body, prebound) and not constants and not _modifies(parts.tail)
        if sparql.ask:
            focus_query = (
                f"SELECT DISTINCT ?this ?value{keep} WHERE {{ {focus('?this')} {values} }}"
            )
            if simple:
                body = parts.body if is_property else _rename(parts.body, {"value": "?this"})
                query = (
                    f"{parts.prologue}{prologue}SELECT DISTINCT ?this ?value{keep} WHERE {{ "
                    f"{focus('?this')} {values} FILTER NOT EXISTS {{ {body} }} }}"
                )
                self.add(query, fields, value_is_focus=False)
            else:
                query = f"{prologue}{text}"
                self.add(query, fields, value_is_focus=False, focus_query=focus_query, ask=True)
            return
        if simple:
            projection = parts.projection
            if "*" not in projection and not _mentions(projection, "this"):
                projection += " ?this"
            if "*" not in projection:
                projection += keep
            query = (
                f"{prologue}{parts.prologue}SELECT{projection} WHERE {{ {focus('?this')} "
                f"{parts.body if c.portable else decorrelate(parts.body)} }}{parts.tail}"
            )
            self.add(query, fields)
        else:
            focus_query = f"SELECT DISTINCT ?this{keep} WHERE {{ {focus('?this')} }}"
            self.add(f"{prologue}{text}", fields, focus_query=focus_query)

    def add(self, query: str, fields: dict[str, object], **extra: object) -> None:
        merged = {**fields, **extra}
        self.out.append(CompiledConstraint(query=query, **merged))  # type: ignore[arg-type]


def _mentions(text: str, name: str) -> bool:
    import re

    from kratomkg.shacl.prebinding import mask

    return re.search(r"[?$]" + name + r"(?![A-Za-z0-9_])", mask(text)) is not None


def _modifies(tail: str) -> bool:
    """Whether solution modifiers follow the WHERE clause (they apply per focus node)."""
    import re

    from kratomkg.shacl.prebinding import mask

    return (
        re.search(r"\b(GROUP|HAVING|ORDER|LIMIT|OFFSET)\b", mask(tail), re.IGNORECASE) is not None
    )


def _is_class(shapes: Graph, node: Node) -> bool:
    types = set(shapes.objects(node, RDF.type))
    return bool(types & {RDFS.Class, OWL.Class})


def _default_message(component: str, path: Node | None) -> str:
    local = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    where = f" on {path}" if isinstance(path, URIRef) else ""
    return f"{local} constraint{where} violated."


def _shapes(shapes: Graph) -> set[Node]:
    found: set[Node] = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        found.update(shapes.subjects(RDF.type, kind))
    for target in _TARGETS:
        found.update(shapes.subjects(target, None))
    return found


def compile_shapes(
    shapes: Graph,
    *,
    encoded: bool = True,
    default_prefixes: Mapping[str, str] | None = None,
    portable: bool = False,
    subclasses: Mapping[URIRef, Iterable[Node]] | None = None,
) -> tuple[CompiledConstraint, ...]:
    """Compile every targeted shape of ``shapes`` into SPARQL queries, in a stable order.

    ``encoded`` says the data sits in a store loaded by :mod:`kratomkg.shacl.literals`
    (literals as written); a remote endpoint holds plain literals. ``default_prefixes``
    fill in what a SPARQL constraint's ``sh:prefixes`` do not declare.

    ``portable`` writes SPARQL that SPARQL servers with a weaker query planner answer
    right (Virtuoso 7 is the measured case): a query per test and per count, no
    projected booleans, no ``sameTerm`` against a constant, no transitive path bound from
    outside, SPARQL constraints as written. ``subclasses`` maps each class the shapes name
    (:func:`named_classes`) to its subclasses in the data, itself included, as
    ``rdfs:subClassOf*`` finds them there; class tests then list them instead of walking
    the hierarchy inside each test. The same results, and on Oxigraph slower.
    """
    closure: dict[Node, tuple[Node, ...]] | None = None
    if subclasses is not None:
        closure = {cls: tuple(members) for cls, members in subclasses.items()}
    compiler = _Compiler(shapes, encoded, dict(default_prefixes or {}), portable, closure)
    for predicate in (SH.rule, SH.target, SH.entailment, SH.shapesGraph):
        for subject in sorted(set(shapes.subjects(predicate, None)), key=_name):
            raise UnsupportedShapeError(subject, f"{compiler._curie(predicate)} is not compiled")
    compiler.read_components()
    top = _TopLevel(compiler)
    # A class is also a shape (an implicit class target) when it has a shape's parameters.
    classes = {s for s in shapes.subjects(RDF.type, None) if _is_class(shapes, s)}
    candidates = _shapes(shapes) | {
        s for s in classes if any(p in _CORE for p in shapes.predicates(s, None))
    }
    for shape in sorted(candidates, key=_name):
        focus = top.focus_pattern(shape)
        if focus is not None:
            top.emit(shape, focus, ())
    return tuple(top.out)


def named_classes(shapes: Graph) -> list[URIRef]:
    """List the classes whose instances the shapes test or target, for a subclass lookup.

    ``sh:class`` and ``sh:targetClass`` objects, and classes that are shapes themselves
    (implicit class targets); a superset is harmless, it costs one lookup more.
    """
    found: set[Node] = set(shapes.objects(None, SH["class"]))
    found.update(shapes.objects(None, SH.targetClass))
    found.update(s for s in shapes.subjects(RDF.type, None) if _is_class(shapes, s))
    return sorted((c for c in found if isinstance(c, URIRef)), key=str)
