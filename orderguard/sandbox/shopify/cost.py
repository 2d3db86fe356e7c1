"""Shopify's calculated query cost, approximately: objects cost 1, scalars and enums 0, and a connection
multiplies what it selects by its `first`/`last` argument. Mutations cost 10. Also collects the types a
query reads, for the access-scope check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast,
)

MUTATION_COST = 10


@dataclass
class CostReport:
    requested: int = 0
    root_types: set[str] = field(default_factory=set)


def query_cost(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode], variables: dict) -> CostReport:
    report = CostReport()
    if operation.operation.value == "mutation":
        report.requested = MUTATION_COST
        return report
    root = schema.query_type
    report.requested = _selection_cost(schema, root, operation.selection_set, fragments, variables, 1, report, depth=0)
    return report


def _selection_cost(schema, parent, selection_set: SelectionSetNode | None, fragments, variables, multiplier, report, depth) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(schema, parent, selection, fragments, variables, multiplier, report, depth)
        elif isinstance(selection, InlineFragmentNode):
            target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            total += _selection_cost(schema, target, selection.selection_set, fragments, variables, multiplier, report, depth)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                target = schema.get_type(fragment.type_condition.name.value)
                total += _selection_cost(schema, target, fragment.selection_set, fragments, variables, multiplier, report, depth)
    return total


def _field_cost(schema, parent, node: FieldNode, fragments, variables, multiplier, report, depth) -> int:
    if not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
        return 0
    definition = parent.fields.get(node.name.value)
    if definition is None:
        return 0
    named = get_named_type(definition.type)
    if not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
        return 0
    if depth == 0:
        report.root_types.add(_node_type_name(named))
    size = _page_size(definition, node, variables)
    own = multiplier
    child_multiplier = multiplier * size if size else multiplier
    return own + _selection_cost(schema, named, node.selection_set, fragments, variables, child_multiplier, report, depth + 1)


def _page_size(definition, node: FieldNode, variables) -> int:
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            arg_type = definition.args[argument.name.value].type
            value = value_from_ast(argument.value, arg_type, variables)
            if isinstance(value, int):
                return value
    return 0


def _node_type_name(named) -> str:
    """For a connection, the type of its nodes (what access scopes are declared on)."""
    name = named.name
    if name.endswith("Connection") and isinstance(named, GraphQLObjectType) and "nodes" in named.fields:
        return get_named_type(named.fields["nodes"].type).name
    return name
