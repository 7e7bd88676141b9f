"""Site views for associations. Thin: forms parse, services and selectors decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assosolos.forms import form_errors_apply

from . import selectors, services
from .forms import (
    AssociationEditForm,
    AssociationRegistrationForm,
    DocumentUploadForm,
    InvitationForm,
    RoleForm,
)
from .guards import managed_association_get
from .models import Association, AssociationDocument, Invitation, Membership


def _error_text(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You are not allowed to do that.")


def _member_association(request, slug: str) -> Association:
    association = get_object_or_404(Association, slug=slug)
    if not selectors.association_can_view_dashboard(user=request.user, association=association):
        raise PermissionDenied
    return association


# --- Public pages ---------------------------------------------------------------------


def association_list(request):
    paginator = Paginator(selectors.associations_public(), 24)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "associations/list.html", {"page_obj": page})


def association_detail(request, slug: str):
    association = get_object_or_404(selectors.associations_public(), slug=slug)
    return render(
        request,
        "associations/detail.html",
        {
            "association": association,
            "can_manage": selectors.association_can_manage(
                user=request.user, association=association
            ),
        },
    )


# --- Registration ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def association_register(request):
    form = AssociationRegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            association = services.association_register(
                actor=request.user,
                name=data["name"],
                legal_form=data["legal_form"],
                rna_number=data["rna_number"],
                siren=data["siren"],
                address=data["address"],
                postcode=data["postcode"],
                commune=data["commune"],
                purpose=data["purpose"],
                contact_email=data["contact_email"],
                website=data["website"],
                linkedin_url=data["linkedin_url"],
                facebook_url=data["facebook_url"],
                instagram_url=data["instagram_url"],
                x_url=data["x_url"],
                logo=data.get("logo") or None,
                documents=form.documents(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your association is registered. The platform's team will check it "
                    "and you will receive an email with their decision."
                ),
            )
            return redirect(association.get_dashboard_url())
    return render(request, "associations/register.html", {"form": form})


# --- Dashboard -------------------------------------------------------------------------


@login_required
def association_dashboard(request, slug: str):
    association = _member_association(request, slug)
    user = request.user
    can_manage = selectors.association_can_manage(user=user, association=association)
    is_owner = selectors.association_is_owner(user=user, association=association)
    team = selectors.association_team_for(association=association, user=user)
    role_choices = [
        (value, label)
        for value, label in Membership.Role.choices
        if is_owner or value != Membership.Role.OWNER
    ]
    context = {
        "association": association,
        "can_manage": can_manage,
        "is_owner": is_owner,
        "my_role": selectors.association_role(user=user, association=association),
        "team": team,
        "role_choices": role_choices,
        "is_active": selectors.association_is_active(association=association),
        "invitations": (
            selectors.association_pending_invitations(association=association) if can_manage else []
        ),
        "documents": (
            selectors.association_documents(association=association) if can_manage else []
        ),
        "invitation_form": InvitationForm(can_invite_owner=is_owner) if can_manage else None,
        "document_form": DocumentUploadForm() if can_manage else None,
    }
    return render(request, "associations/dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def association_edit(request, slug: str):
    association = managed_association_get(request, slug)
    form = AssociationEditForm(
        request.POST or None,
        request.FILES or None,
        instance=Association.objects.get(pk=association.pk),
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in AssociationEditForm.Meta.fields}
        if fields.get("logo") is False:  # "clear" ticked
            fields["logo"] = ""
        try:
            pending = services.association_details_update(
                association=association, actor=request.user, **fields
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, _("The association's details have been saved."))
            if pending is not None:
                messages.info(
                    request,
                    _(
                        "The new name or commune will show once the platform's team has "
                        "reviewed it; until then the verified details stay on the public page."
                    ),
                )
            return redirect(association.get_dashboard_url())
    return render(
        request,
        "associations/edit.html",
        {
            "association": association,
            "form": form,
            "pending_change": selectors.association_pending_details_change(association=association),
        },
    )


@login_required
@require_POST
def document_upload(request, slug: str):
    association = managed_association_get(request, slug)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        services.association_document_add(
            association=association,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
        )
        messages.success(request, _("The document has been added."))
    else:
        errors = [error for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(errors))
    return redirect(association.get_dashboard_url())


@login_required
def document_download(request, slug: str, pk: int):
    """Stream a private document to the association's managers and to staff only."""
    association = get_object_or_404(Association, slug=slug)
    if not selectors.association_can_read_documents(user=request.user, association=association):
        raise PermissionDenied
    document = get_object_or_404(AssociationDocument, association=association, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=document.content_type, filename=document.original_name
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Team ------------------------------------------------------------------------------


@login_required
@require_POST
def invitation_create(request, slug: str):
    association = managed_association_get(request, slug)
    form = InvitationForm(
        request.POST,
        can_invite_owner=selectors.association_is_owner(user=request.user, association=association),
    )
    if form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                association=association,
                inviter=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.") % {"email": invitation.email},
            )
    else:
        errors = [error for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(errors))
    return redirect(association.get_dashboard_url())


@login_required
@require_POST
def invitation_revoke(request, slug: str, pk: int):
    association = managed_association_get(request, slug)
    invitation = get_object_or_404(Invitation, association=association, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The invitation has been withdrawn."))
    return redirect(association.get_dashboard_url())


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Show an invitation, and accept it on POST. Signed-out visitors are asked to sign in."""
    invitation = services.invitation_get(token=token)
    user = request.user if request.user.is_authenticated else None
    error = error_code = None
    try:
        services.invitation_check(invitation=invitation, actor=user)
    except services.InvitationError as exc:
        error, error_code = _error_text(exc), exc.code

    if request.method == "POST" and user is not None and error is None:
        try:
            membership = services.invitation_accept(token=token, actor=user)
        except services.InvitationError as exc:
            error, error_code = _error_text(exc), exc.code
        else:
            messages.success(
                request,
                _("Welcome to the team of %(name)s.") % {"name": membership.association.name},
            )
            return redirect(membership.association.get_dashboard_url())

    next_query = urlencode({"next": request.path})
    # A new account for the invited address: the signup form starts with it filled in.
    signup_query = (
        urlencode({"next": request.path, "email": invitation.email})
        if invitation is not None and error is None
        else next_query
    )
    return render(
        request,
        "associations/invitation_accept.html",
        {
            "invitation": invitation if error is None else None,
            "error": error,
            "wrong_email": error_code == "invitation_wrong_email",
            "login_url": f"{reverse('account_login')}?{next_query}",
            "signup_url": f"{reverse('account_signup')}?{signup_query}",
        },
        status=400 if error and request.method == "POST" else 200,
    )


@login_required
@require_POST
def membership_role(request, slug: str, pk: int):
    association = managed_association_get(request, slug)
    membership = get_object_or_404(Membership, association=association, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect(association.get_dashboard_url())
    try:
        services.membership_change_role(
            membership=membership, actor=request.user, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("%(name)s's role has been changed.") % {"name": membership.user.public_name},
        )
    return redirect(association.get_dashboard_url())


@login_required
@require_POST
def membership_remove(request, slug: str, pk: int):
    association = managed_association_get(request, slug)
    membership = get_object_or_404(Membership, association=association, pk=pk)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(association.get_dashboard_url())
    messages.success(
        request,
        _("%(name)s has been removed from the team.") % {"name": membership.user.public_name},
    )
    if membership.user_id == request.user.pk:
        return redirect("accounts:dashboard")
    return redirect(association.get_dashboard_url())


@login_required
@require_POST
def association_leave(request, slug: str):
    association = _member_association(request, slug)
    try:
        services.association_leave(association=association, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(association.get_dashboard_url())
    messages.success(request, _("You have left the team of %(name)s.") % {"name": association.name})
    return redirect("accounts:dashboard")
