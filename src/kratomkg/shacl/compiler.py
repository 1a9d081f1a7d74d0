"""Compile SHACL shapes into SPARQL SELECT queries whose rows are the violations.

Each constraint becomes one query that projects ``?this`` (the focus node) and, for
constraints on value nodes, ``?value``. Focus nodes come from the shape's targets, with
``sh:targetClass`` following ``rdf:type/rdfs:subClassOf*`` as SHACL requires. The queries use
full IRIs and plain SPARQL 1.1, so they run unchanged on Oxigraph or any remote endpoint.

Only the part of SHACL that the shipped shapes use is compiled (the core parameters listed in
``_PROPERTY_PARAMETERS``, ``sh:or`` of existence shapes, SPARQL-based constraints). Any
other SHACL parameter makes :func:`compile_shapes` raise :class:`UnsupportedShapeError`, so
the engine refuses a shape rather than skip one of its constraints without a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kratomkg.errors import KratomKGError
from kratomkg.namespaces import PREFIXES
from kratomkg.report import Severity

__all__ = ["CompiledConstraint", "UnsupportedShapeError", "compile_shapes"]

_TYPE = f"<{RDF.type}>"
_SUBCLASS = f"<{RDFS.subClassOf}>"


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

    ``message`` may hold ``{?var}`` placeholders, filled from the row as pySHACL does.
    ``value_is_focus`` says that a row without ``?value`` reports the focus node as value
    (SPARQL-based and ``sh:or`` constraints of node shapes). Constraints of one property
    shape share a query; ``flag`` then names the boolean column true where this one fails.
    ``shape`` names the rule in text reports (a SPARQL-based constraint itself);
    ``source_shape`` and ``source_constraint`` are the shapes-graph terms that a SHACL
    report calls ``sh:sourceShape`` (the node or property shape) and ``sh:sourceConstraint``.
    """

    query: str
    shape: str
    path: str | None
    component: str
    severity: Severity
    message: str
    value_is_focus: bool = False
    flag: str | None = None
    source_shape: Node | None = None
    source_constraint: Node | None = None


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_ANNOTATIONS = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group}
_NODE_PARAMETERS = {*_TARGETS, *_ANNOTATIONS, SH.property, SH.sparql, SH["or"], SH.deactivated}
_PROPERTY_PARAMETERS = {
    *_TARGETS,
    *_ANNOTATIONS,
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH["class"],
    SH.datatype,
    SH.pattern,
    SH.flags,
    SH["in"],
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.nodeKind,
    SH.hasValue,
    SH.minLength,
    SH.maxLength,
    SH.deactivated,
}
_SPARQL_PARAMETERS = {SH.select, SH.message, SH.prefixes, SH.deactivated}

# Lexical forms of the XSD datatypes whose well-formedness sh:datatype must check
# (rdflib flags such literals as ill-typed, and pySHACL reports them).
_LEXICAL: dict[URIRef, str] = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    XSD.boolean: r"^(true|false|1|0)$",
    XSD.gYear: r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    XSD.date: r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$",
}

_NODE_KINDS: dict[URIRef, str] = {
    SH.IRI: "isIRI(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}

_COMPARISONS: dict[URIRef, tuple[str, str]] = {
    SH.minInclusive: (">=", "MinInclusive"),
    SH.maxInclusive: ("<=", "MaxInclusive"),
    SH.minExclusive: (">", "MinExclusive"),
    SH.maxExclusive: ("<", "MaxExclusive"),
}

_FORBIDDEN_IN_SELECT = re.compile(
    r"\bSERVICE\b|\bLOAD\b|\$(PATH|shapesGraph|currentShape)\b", re.IGNORECASE
)


def _name(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _term(shape: Node, node: Node) -> str:
    """Write an IRI or literal of the shapes graph in SPARQL syntax."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShapeError(shape, f"blank node {node.n3()} used as a constraint value")


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _one(shapes: Graph, shape: Node, parameter: URIRef) -> Node | None:
    values = list(shapes.objects(shape, parameter))
    if len(values) > 1:
        raise UnsupportedShapeError(
            shape, f"more than one {parameter.n3(shapes.namespace_manager)}"
        )
    return values[0] if values else None


def _int(shapes: Graph, shape: Node, parameter: URIRef) -> int | None:
    value = _one(shapes, shape, parameter)
    if value is None:
        return None
    if not (isinstance(value, Literal) and isinstance(value.toPython(), int)):
        raise UnsupportedShapeError(shape, f"{parameter} must be an integer")
    return int(value.toPython())


def _check_parameters(shapes: Graph, shape: Node, allowed: set[URIRef], kind: str) -> None:
    for predicate in sorted(set(shapes.predicates(shape, None)), key=str):
        if (
            isinstance(predicate, URIRef)
            and predicate.startswith(str(SH))
            and (predicate not in allowed)
        ):
            raise UnsupportedShapeError(shape, f"sh:{predicate[len(str(SH)) :]} on a {kind}")


def _severity(shapes: Graph, shape: Node) -> Severity:
    value = _one(shapes, shape, SH.severity)
    if value is None or value == SH.Violation:
        return "Violation"
    if value == SH.Warning:
        return "Warning"
    if value == SH.Info:
        return "Info"
    raise UnsupportedShapeError(shape, f"unknown severity {value}")


def _message(shapes: Graph, node: Node, fallback: str) -> str:
    messages = sorted(str(m) for m in shapes.objects(node, SH.message))
    return messages[0] if messages else fallback


def _deactivated(shapes: Graph, node: Node) -> bool:
    value = _one(shapes, node, SH.deactivated)
    return isinstance(value, Literal) and value.toPython() is True


def _focus_pattern(shapes: Graph, shape: Node) -> str:
    """Build a group pattern binding ``?this`` to each focus node of ``shape`` once."""
    branches: list[str] = []
    classes = sorted(shapes.objects(shape, SH.targetClass), key=_name)
    if classes:
        values = " ".join(_term(shape, c) for c in classes)
        branches.append(
            f"{{ VALUES ?targetClass_ {{ {values} }} ?this {_TYPE}/{_SUBCLASS}* ?targetClass_ . }}"
        )
    for node in sorted(shapes.objects(shape, SH.targetNode), key=_name):
        branches.append(f"{{ BIND ({_term(shape, node)} AS ?this) }}")
    for predicate in sorted(shapes.objects(shape, SH.targetSubjectsOf), key=_name):
        branches.append(f"{{ ?this {_term(shape, predicate)} ?targetObject_ . }}")
    for predicate in sorted(shapes.objects(shape, SH.targetObjectsOf), key=_name):
        branches.append(f"{{ ?targetSubject_ {_term(shape, predicate)} ?this . }}")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches) + " } }"


def _property_constraints(shapes: Graph, prop: Node, focus: str) -> Iterator[CompiledConstraint]:
    _check_parameters(shapes, prop, _PROPERTY_PARAMETERS, "property shape")
    if _deactivated(shapes, prop):
        return
    path_node = _one(shapes, prop, SH.path)
    if not isinstance(path_node, URIRef):
        raise UnsupportedShapeError(prop, "only predicate paths (an IRI as sh:path) are compiled")
    path = f"<{path_node}>"
    severity = _severity(shapes, prop)
    message = _message(shapes, prop, f"Constraint on {path_node} violated.")

    # One query for the counts and one for the value checks of this property shape: each
    # check projects a boolean ``?checkN_`` so that the focus nodes are found only once.
    counts: list[tuple[str, str]] = []  # (component, condition on ?count_)
    checks: list[tuple[str, str]] = []  # (component, condition on ?value)
    min_count = _int(shapes, prop, SH.minCount)
    if min_count is not None and min_count > 0:
        counts.append(("MinCount", f"?count_ < {min_count}"))
    max_count = _int(shapes, prop, SH.maxCount)
    if max_count is not None:
        counts.append(("MaxCount", f"?count_ > {max_count}"))
    # sh:class is an anti-join, not a NOT EXISTS per value: the OPTIONAL binds a flag for
    # every value that has a type in the class's subclass closure, and a value left without
    # the flag violates. Evaluated per value, rdf:type/rdfs:subClassOf* cost Oxigraph about
    # 0.2 ms a row (7 s for 40k claims); as an OPTIONAL it is one join (0.2 s).
    patterns: list[str] = []
    for n, cls in enumerate(sorted(shapes.objects(prop, SH["class"]), key=_name)):
        patterns.append(
            f"OPTIONAL {{ ?value {_TYPE} ?valueClass{n}_ . "
            f"?valueClass{n}_ {_SUBCLASS}* {_term(prop, cls)} . BIND (true AS ?classOk{n}_) }}"
        )
        checks.append(("Class", f"!BOUND(?classOk{n}_)"))
    datatype = _one(shapes, prop, SH.datatype)
    if datatype is not None:
        if not isinstance(datatype, URIRef):
            raise UnsupportedShapeError(prop, "sh:datatype must be an IRI")
        ok = f"isLiteral(?value) && sameTerm(DATATYPE(?value), <{datatype}>)"
        if datatype in _LEXICAL:
            ok += f" && REGEX(STR(?value), {_string(_LEXICAL[datatype])})"
        checks.append(("Datatype", f"!({ok})"))
    pattern = _one(shapes, prop, SH.pattern)
    if pattern is not None:
        flags = _one(shapes, prop, SH.flags)
        args = _string(str(pattern)) + (f", {_string(str(flags))}" if flags is not None else "")
        checks.append(("Pattern", f"isBlank(?value) || !REGEX(STR(?value), {args})"))
    allowed = _one(shapes, prop, SH["in"])
    if allowed is not None:
        members = list(Collection(shapes, allowed))
        same = " || ".join(f"sameTerm(?value, {_term(prop, m)})" for m in members) or "false"
        checks.append(("In", f"!({same})"))
    for parameter, (operator, component) in _COMPARISONS.items():
        bound = _one(shapes, prop, parameter)
        if bound is not None:
            condition = f"!COALESCE(?value {operator} {_term(prop, bound)}, false)"
            checks.append((component, condition))
    node_kind = _one(shapes, prop, SH.nodeKind)
    if node_kind is not None:
        if node_kind not in _NODE_KINDS:
            raise UnsupportedShapeError(prop, f"unknown sh:nodeKind {node_kind}")
        checks.append(("NodeKind", f"!{_NODE_KINDS[URIRef(str(node_kind))]}"))
    for parameter, operator, component in (
        (SH.minLength, "<", "MinLength"),
        (SH.maxLength, ">", "MaxLength"),
    ):
        length = _int(shapes, prop, parameter)
        if length is not None:
            checks.append(
                (component, f"isBlank(?value) || STRLEN(STR(?value)) {operator} {length}")
            )

    def make(component: str, query: str, flag: str | None = None) -> CompiledConstraint:
        return CompiledConstraint(
            query=query,
            shape=_name(prop),
            path=str(path_node),
            component=str(SH[component + "ConstraintComponent"]),
            severity=severity,
            message=message,
            flag=flag,
            source_shape=prop,
        )

    if counts == [("MinCount", "?count_ < 1")]:
        yield make(
            "MinCount",
            f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?value }} }}",
        )
    elif counts:
        count = "COUNT(DISTINCT ?value)"
        columns = " ".join(
            f"(({c.replace('?count_', count)}) AS ?check{n}_)" for n, (_, c) in enumerate(counts)
        )
        having = " || ".join(c.replace("?count_", count) for _, c in counts)
        query = (
            f"SELECT ?this {columns} WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value }} }} "
            f"GROUP BY ?this HAVING ({having})"
        )
        for n, (component, _) in enumerate(counts):
            yield make(component, query, f"check{n}_")
    if checks:
        columns = " ".join(f"(({c}) AS ?check{n}_)" for n, (_, c) in enumerate(checks))
        condition = " || ".join(f"({c})" for _, c in checks)
        # DISTINCT: a value with two types in the class's closure matches the OPTIONAL twice.
        query = (
            f"SELECT DISTINCT ?this ?value {columns} WHERE {{ {focus} ?this {path} ?value . "
            f"{' '.join(patterns)} FILTER ({condition}) }}"
        )
        for n, (component, _) in enumerate(checks):
            yield make(component, query, f"check{n}_")
    has_value = _one(shapes, prop, SH.hasValue)
    if has_value is not None:
        yield make(
            "HasValue",
            f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS "
            f"{{ ?this {path} {_term(prop, has_value)} }} }}",
        )


def _existence_test(shapes: Graph, member: Node, owner: Node) -> str:
    """SPARQL condition true when ``?this`` conforms to ``member``, a shape of sh:minCount 1s."""
    for predicate in set(shapes.predicates(member, None)):
        if str(predicate).startswith(str(SH)) and predicate != SH.property:
            raise UnsupportedShapeError(owner, "sh:or members may only hold sh:property")
    tests: list[str] = []
    for prop in sorted(shapes.objects(member, SH.property), key=_name):
        sh_parameters = {p for p in shapes.predicates(prop, None) if str(p).startswith(str(SH))}
        path = _one(shapes, prop, SH.path)
        if sh_parameters != {SH.path, SH.minCount} or not isinstance(path, URIRef):
            raise UnsupportedShapeError(
                owner, "sh:or members are compiled only as (IRI path, sh:minCount 1) shapes"
            )
        if _int(shapes, prop, SH.minCount) != 1:
            raise UnsupportedShapeError(owner, "sh:or members may only use sh:minCount 1")
        tests.append(f"EXISTS {{ ?this <{path}> ?orValue_ }}")
    return "(" + (" && ".join(tests) or "true") + ")"


def _prefixes(shapes: Graph, constraint: Node) -> str:
    """Write the PREFIX block of a SPARQL constraint, its sh:declare'd prefixes first.

    pySHACL also resolves prefixes bound in the data graph, which always carries the
    kratomkg prefix map; those fill in what the shapes do not declare.
    """
    declared: dict[str, str] = {}
    for ontology in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(ontology, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if isinstance(prefix, Literal) and isinstance(namespace, Literal):
                declared[str(prefix)] = str(namespace)
    for known, iri in PREFIXES.items():
        declared.setdefault(known, iri)
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))


_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{", re.IGNORECASE)
_FILTER_CALL = re.compile(r"FILTER\s*\(", re.IGNORECASE)
_OUTER_KEYWORDS = re.compile(
    r"\b(OPTIONAL|UNION|MINUS|BIND|VALUES|GRAPH|SERVICE|EXISTS|SELECT)\b|[{}]", re.IGNORECASE
)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def _closing(text: str, start: int, opening: str, closing: str) -> int:
    """Index just past the bracket that closes the one opened before ``start``."""
    depth, i, quote = 1, start, ""
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _decorrelate(group: str) -> str:
    """Rewrite top-level ``FILTER NOT EXISTS { P }`` as ``OPTIONAL { P BIND } FILTER !BOUND``.

    Oxigraph plans the inside of NOT EXISTS without knowing that the outer variables are
    bound, and then scans, for every focus node, every node that matches the pattern: a
    quadratic cost (190 s for 10k claims). As a left join the pattern is planned with the
    outer variables bound. The two forms are equivalent when every variable they share is
    bound in every outer solution, which holds when the rest of the group is a plain basic
    graph pattern with filters; otherwise the query is left as written.
    """
    blocks: list[tuple[int, int]] = []
    position = 0
    while match := _NOT_EXISTS.search(group, position):
        end = _closing(group, match.end(), "{", "}")
        if end < 0:
            return group
        blocks.append((match.start(), end))
        position = end
    group_end = _closing(group, 0, "{", "}")
    if not blocks or group_end < 0:
        return group
    outer = "".join(
        group[a:b]
        for a, b in zip(
            [0] + [e for _, e in blocks], [s for s, _ in blocks] + [group_end - 1], strict=True
        )
    )
    bgp = outer
    while match := _FILTER_CALL.search(bgp):
        end = _closing(bgp, match.end(), "(", ")")
        if end < 0:
            return group
        bgp = bgp[: match.start()] + bgp[end:]
    if _OUTER_KEYWORDS.search(bgp):
        return group
    bound = set(_VARIABLE.findall(bgp))
    mentioned = set(_VARIABLE.findall(outer))
    pieces: list[str] = []
    position = 0
    for number, (start, end) in enumerate(blocks):
        inner = group[_NOT_EXISTS.match(group, start).end() : end - 1]  # type: ignore[union-attr]
        if (set(_VARIABLE.findall(inner)) & mentioned) - bound:
            return group
        flag = f"?notExists{number}_"
        pieces.append(group[position:start])
        pieces.append(f"OPTIONAL {{ {inner} BIND (true AS {flag}) }} FILTER (!BOUND({flag}))")
        position = end
    return "".join(pieces) + group[position:]


def _sparql_constraint(
    shapes: Graph, shape: Node, constraint: Node, focus: str
) -> CompiledConstraint | None:
    _check_parameters(shapes, constraint, _SPARQL_PARAMETERS, "SPARQL constraint")
    if _deactivated(shapes, constraint):
        return None
    select = _one(shapes, constraint, SH.select)
    if not isinstance(select, Literal):
        raise UnsupportedShapeError(constraint, "SPARQL constraint without one sh:select")
    text = str(select)
    forbidden = _FORBIDDEN_IN_SELECT.search(text)
    if forbidden:
        raise UnsupportedShapeError(constraint, f"'{forbidden.group(0)}' in sh:select")
    match = _SELECT.search(text)
    brace = text.find("{", match.end()) if match else -1
    if match is None or brace < 0:
        raise UnsupportedShapeError(constraint, "sh:select is not a SELECT query")
    projection = text[match.end() : brace]
    if not re.search(r"[?$]this\b|\*", projection):
        raise UnsupportedShapeError(constraint, "sh:select must project $this")
    # Pre-binding $this: the focus nodes join the query's top-level group first, so that
    # FILTER NOT EXISTS inside it sees $this bound, as with pySHACL's initial bindings.
    body = _decorrelate(text[brace + 1 :])
    query = _prefixes(shapes, constraint) + text[: brace + 1] + f" {focus} " + body
    return CompiledConstraint(
        query=query,
        shape=_name(constraint),
        path=None,
        component=str(SH.SPARQLConstraintComponent),
        severity=_severity(shapes, shape),
        message=_message(shapes, constraint, _message(shapes, shape, "SPARQL constraint failed.")),
        value_is_focus=True,
        source_shape=shape,
        source_constraint=constraint,
    )


def _shape_constraints(shapes: Graph, shape: Node) -> Iterator[CompiledConstraint]:
    focus = _focus_pattern(shapes, shape)
    if (shape, SH.path, None) in shapes:  # a property shape with targets of its own
        yield from _property_constraints(shapes, shape, focus)
        return
    _check_parameters(shapes, shape, _NODE_PARAMETERS, "node shape")
    if _deactivated(shapes, shape):
        return
    for prop in sorted(shapes.objects(shape, SH.property), key=_name):
        if (prop, SH.property, None) in shapes:
            raise UnsupportedShapeError(prop, "sh:property nested in a property shape")
        yield from _property_constraints(shapes, prop, focus)
    for constraint in sorted(shapes.objects(shape, SH.sparql), key=_name):
        compiled = _sparql_constraint(shapes, shape, constraint, focus)
        if compiled is not None:
            yield compiled
    for members in sorted(shapes.objects(shape, SH["or"]), key=_name):
        tests = [_existence_test(shapes, m, shape) for m in Collection(shapes, members)]
        yield CompiledConstraint(
            query=f"SELECT ?this WHERE {{ {focus} FILTER (!({' || '.join(tests) or 'false'})) }}",
            shape=_name(shape),
            path=None,
            component=str(SH.OrConstraintComponent),
            severity=_severity(shapes, shape),
            message=_message(shapes, shape, "No alternative of sh:or is satisfied."),
            value_is_focus=True,
            source_shape=shape,
        )


def compile_shapes(shapes: Graph) -> tuple[CompiledConstraint, ...]:
    """Compile every targeted shape of ``shapes`` into SPARQL queries, in a stable order."""
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    ):
        if {RDFS.Class, OWL.Class} & set(shapes.objects(shape, RDF.type)):
            raise UnsupportedShapeError(shape, "implicit class targets are not compiled")
        for predicate in (SH.rule, SH.target, SH.entailment):
            if (shape, predicate, None) in shapes:
                raise UnsupportedShapeError(shape, f"{predicate} is not compiled")
    if (None, SH.entailment, None) in shapes:
        raise UnsupportedShapeError(URIRef(""), "sh:entailment is not compiled")
    targeted = sorted({s for t in _TARGETS for s in shapes.subjects(t, None)}, key=_name)
    compiled: list[CompiledConstraint] = []
    for shape in targeted:
        compiled.extend(_shape_constraints(shapes, shape))
    return tuple(compiled)
