"""Writes of products and their versions."""

from __future__ import annotations

from datetime import date
from typing import Never

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils.text import slugify

from ossdesk.accounts.access import can_manage_catalogue, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.products.models import Product, ProductVersion
from ossdesk.unset import UNSET, Unset, given


@transaction.atomic
def product_create(
    *,
    actor: Actor,
    name: str,
    ecosystem: str = "",
    package_name: str = "",
    homepage: str = "",
    description: str = "",
    slug: str = "",
) -> Product:
    require(can_manage_catalogue(actor), "Only admins change the product catalogue.")
    product = Product(
        name=name.strip(),
        slug=slug or slugify(name)[:80],
        ecosystem=ecosystem,
        package_name=package_name,
        homepage=homepage,
        description=description,
    )
    product.full_clean()
    product.save()
    audit_record(actor=actor, action="create", instance=product, after=snapshot(product))
    return product


@transaction.atomic
def product_update(
    *,
    actor: Actor,
    product: Product,
    name: str | Unset = UNSET,
    ecosystem: str | Unset = UNSET,
    package_name: str | Unset = UNSET,
    homepage: str | Unset = UNSET,
    description: str | Unset = UNSET,
    **refused: Never,
) -> Product:
    """Change a product; what is left out keeps its value. Another field (a door passes its form's or its
    serializer's fields) is refused: "This field cannot be changed." (the slug)."""
    require(can_manage_catalogue(actor), "Only admins change the product catalogue.")
    if refused:
        raise ValidationError(dict.fromkeys(sorted(refused), "This field cannot be changed."))
    changes = given(
        name=name, ecosystem=ecosystem, package_name=package_name, homepage=homepage, description=description
    )
    before = snapshot(product)
    for key, value in changes.items():
        setattr(product, key, value)
    product.full_clean()
    product.save()
    audit_record(actor=actor, action="update", instance=product, before=before, after=snapshot(product))
    return product


@transaction.atomic
def product_delete(*, actor: Actor, product: Product) -> None:
    require(can_manage_catalogue(actor), "Only admins change the product catalogue.")
    subscriptions: set[Model] = set(product.subscriptions.all())
    if subscriptions:  # a many-to-many link, which the database itself would silently drop
        raise ProtectedError(
            f"{product.name} is covered by subscriptions; remove it from them first.", subscriptions
        )
    audit_record(actor=actor, action="delete", instance=product, before=snapshot(product))
    product.delete()


def _check_lifecycle(released: date | None, end_of_support: date | None, end_of_life: date | None) -> None:
    errors = {}
    if released and end_of_support and end_of_support < released:
        errors["end_of_support_on"] = "End of regular support comes before the release."
    if end_of_support and end_of_life and end_of_life < end_of_support:
        errors["end_of_life_on"] = "End of life comes before the end of regular support."
    if released and end_of_life and end_of_life < released:
        errors["end_of_life_on"] = "End of life comes before the release."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def product_version_create(
    *,
    actor: Actor,
    product: Product,
    version: str,
    released_on: date | None = None,
    end_of_support_on: date | None = None,
    end_of_life_on: date | None = None,
) -> ProductVersion:
    require(can_manage_catalogue(actor), "Only admins change the product catalogue.")
    _check_lifecycle(released_on, end_of_support_on, end_of_life_on)
    if ProductVersion.objects.filter(product=product, version=version).exists():
        raise ValidationError({"version": f"{product.name} {version} already exists."})
    item = ProductVersion(
        product=product,
        version=version.strip(),
        released_on=released_on,
        end_of_support_on=end_of_support_on,
        end_of_life_on=end_of_life_on,
    )
    item.full_clean()
    item.save()
    audit_record(actor=actor, action="create", instance=item, after=snapshot(item))
    return item


@transaction.atomic
def product_version_update(
    *,
    actor: Actor,
    item: ProductVersion,
    released_on: date | Unset | None = UNSET,
    end_of_support_on: date | Unset | None = UNSET,
    end_of_life_on: date | Unset | None = UNSET,
    **refused: Never,
) -> ProductVersion:
    """Change a version's lifecycle dates; one left out keeps its value, None clears it. Another field is
    refused: "This field cannot be changed." (the product and the version: add a new version instead)."""
    require(can_manage_catalogue(actor), "Only admins change the product catalogue.")
    if refused:
        raise ValidationError(dict.fromkeys(sorted(refused), "This field cannot be changed."))
    changes = given(
        released_on=released_on, end_of_support_on=end_of_support_on, end_of_life_on=end_of_life_on
    )
    before = snapshot(item)
    for key, value in changes.items():
        setattr(item, key, value)
    _check_lifecycle(item.released_on, item.end_of_support_on, item.end_of_life_on)
    item.full_clean()
    item.save()
    audit_record(actor=actor, action="update", instance=item, before=before, after=snapshot(item))
    return item


@transaction.atomic
def product_version_delete(*, actor: Actor, item: ProductVersion) -> None:
    require(can_manage_catalogue(actor), "Only admins change the product catalogue.")
    audit_record(actor=actor, action="delete", instance=item, before=snapshot(item))
    item.delete()
