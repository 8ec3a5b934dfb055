"""/api/enrolment: my answer to the call for interest (read and change), and the volunteers (program admins).

Nobody's decline is visible here: a member reads only their own answer, and the volunteers list holds only
people who joined.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.params.functions import Query
from pydantic import ConfigDict, Field

from groundswell.api.auth import member_of
from groundswell.api.endpoints.common import DEFAULT_PAGE, ERRORS, ERRORS_404, MAX_OFFSET, MAX_PAGE, require_admin
from groundswell.api.schemas import MAX_ID, ErrorOut, Id, Page
from groundswell.content.models import Topic
from groundswell.enrolment import actions, queries
from groundswell.enrolment.actions import Answers, EnrolmentError
from groundswell.enrolment.models import CallForInterest, Enrolment

router = Router(tags=["Enrolment"])

# Kept equal to the model's choices by enrolment/tests/test_api.py.
ActivityKey = Literal["share", "write", "answer", "brand", "video"]
NetworkKey = Literal["linkedin", "x", "facebook", "bluesky", "mastodon"]
LanguageKey = Literal["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "tr", "ar", "zh", "ja", "hi"]
HoursKey = Literal["lt1", "1-2", "3-5", "5+"]
ComfortKey = Literal["beginner", "intermediate", "advanced", "expert"]


class CallOut(Schema):
    id: int = Field(examples=[3])
    title: str = Field(examples=["Would you like to represent us on social media?"])
    message: str = Field(examples=["We are starting an advocacy program…"])
    deadline: dt.date = Field(description="The last day to answer.")


class EnrolmentOut(Schema):
    status: Literal["none", "joined", "declined", "left"] = Field(
        description="none: never answered; declined: said “not now”.", examples=["joined"]
    )
    activities: list[ActivityKey] = Field(examples=[["share", "answer"]])
    networks: list[NetworkKey] = Field(examples=[["linkedin"]])
    topic_ids: list[int] = Field(examples=[[4]])
    hours: HoursKey | None = Field(description="Time per week.", examples=["1-2"])
    comfort: ComfortKey | None = Field(examples=["intermediate"])
    languages: list[LanguageKey] = Field(description="Languages to answer customers in.", examples=[["en", "de"]])
    show_to_manager: bool = Field(description="Your manager may see by name that you joined.", examples=[False])
    joined_at: dt.datetime | None
    updated_at: dt.datetime | None
    open_call: CallOut | None = Field(description="The call for interest open now, if any.")
    needs_answer: bool = Field(description="A call is open and you have not answered it (nor joined).")


class EnrolmentIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "joined",
                    "activities": ["share", "answer"],
                    "networks": ["linkedin"],
                    "topic_ids": [4],
                    "hours": "1-2",
                    "comfort": "intermediate",
                    "languages": ["en", "de"],
                    "show_to_manager": False,
                },
                {"status": "declined"},
            ]
        }
    )

    status: Literal["joined", "declined", "left"] = Field(
        description="joined: join or change answers; declined: “not now”; left: leave the program."
    )
    activities: list[ActivityKey] = Field(default_factory=list, max_length=10, description="Needed to join.")
    networks: list[NetworkKey] = Field(default_factory=list, max_length=10)
    topic_ids: list[Id] = Field(default_factory=list, max_length=100, description="Topics of your workspace.")
    hours: HoursKey = Field(default="lt1", description="Time per week.")
    comfort: ComfortKey = Field(default="beginner")
    languages: list[LanguageKey] = Field(default_factory=list, max_length=20)
    show_to_manager: bool = False


class VolunteerOut(Schema):
    member_id: int = Field(examples=[5])
    display_name: str = Field(examples=["Bob"])
    department: str = Field(examples=["Sales"])
    location: str = Field(examples=["Berlin"])
    activities: list[ActivityKey] = Field(examples=[["share", "answer"]])
    networks: list[NetworkKey] = Field(examples=[["linkedin"]])
    topics: list[str] = Field(description="Topic names.", examples=[["Product"]])
    hours: HoursKey | None = Field(examples=["1-2"])
    comfort: ComfortKey | None = Field(examples=["intermediate"])
    languages: list[LanguageKey] = Field(examples=[["en"]])
    joined_at: dt.datetime | None


class VolunteerPage(Page):
    results: list[VolunteerOut]


def _call_out(call: CallForInterest | None) -> CallOut | None:
    if call is None:
        return None
    return CallOut(id=call.pk, title=call.title, message=call.message, deadline=call.deadline)


def _enrolment_out(enrolment: Enrolment | None, call: CallForInterest | None) -> EnrolmentOut:
    return EnrolmentOut(
        status=enrolment.status if enrolment else "none",  # type: ignore[arg-type]
        activities=enrolment.activities if enrolment else [],  # type: ignore[arg-type]
        networks=enrolment.networks if enrolment else [],  # type: ignore[arg-type]
        topic_ids=[t.pk for t in enrolment.topics.all()] if enrolment else [],
        hours=(enrolment.hours or None) if enrolment else None,  # type: ignore[arg-type]
        comfort=(enrolment.comfort or None) if enrolment else None,  # type: ignore[arg-type]
        languages=enrolment.languages if enrolment else [],  # type: ignore[arg-type]
        show_to_manager=enrolment.show_to_manager if enrolment else False,
        joined_at=enrolment.joined_at if enrolment else None,
        updated_at=enrolment.updated_at if enrolment else None,
        open_call=_call_out(call),
        needs_answer=queries.needs_answer(enrolment, call),
    )


@router.get(
    "/enrolment/me", response={200: EnrolmentOut, **ERRORS}, summary="My enrolment", operation_id="get_my_enrolment"
)
def my_enrolment(request: HttpRequest) -> EnrolmentOut:
    """Your own answer to the call for interest (status `none` when you never answered) and the open call."""
    member = member_of(request)
    return _enrolment_out(queries.enrolment_for(member), queries.open_call(member.workspace))


@router.put(
    "/enrolment/me",
    response={200: EnrolmentOut, **ERRORS},
    summary="Join, change my answers, say not now, or leave",
    operation_id="put_my_enrolment",
)
def put_my_enrolment(request: HttpRequest, payload: EnrolmentIn) -> EnrolmentOut:
    """`joined` needs at least one activity and replaces all your answers; `declined` and `left` keep them
    (they are no longer used for staffing). Your manager does not see your status unless
    `show_to_manager` is true (and then only that you joined)."""
    member = member_of(request)
    topic_ids = set(payload.topic_ids)
    if len(topic_ids) != Topic.objects.filter(workspace_id=member.workspace_id, pk__in=topic_ids).count():
        raise HttpError(422, "Some of those topics do not exist in this workspace.")
    try:
        if payload.status == "joined":
            actions.join(
                member,
                Answers(
                    activities=payload.activities,
                    networks=payload.networks,
                    topic_ids=payload.topic_ids,
                    hours=payload.hours,
                    comfort=payload.comfort,
                    languages=payload.languages,
                    show_to_manager=payload.show_to_manager,
                ),
            )
        elif payload.status == "declined":
            actions.decline(member)
        else:
            actions.leave(member)
    except EnrolmentError as exc:
        raise HttpError(422, str(exc)) from None
    return _enrolment_out(queries.enrolment_for(member), queries.open_call(member.workspace))


@router.get(
    "/enrolment/volunteers",
    response={200: VolunteerPage, 403: ErrorOut, **ERRORS_404},
    summary="Volunteers (program admins)",
    operation_id="list_volunteers",
)
def list_volunteers(
    request: HttpRequest,
    activity: Annotated[ActivityKey | None, Query(description="Only people who chose this activity.")] = None,
    network: Annotated[NetworkKey | None, Query(description="Only people who use this network.")] = None,
    topic_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only people who care about it.")] = None,
    language: Annotated[LanguageKey | None, Query(description="Only people who answer in it.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size (1-100).")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")] = 0,
) -> VolunteerPage:
    """Active members who joined, by name, with what they would like to do. Only people who joined are
    listed: who declined or did not answer is never available here."""
    member = member_of(request)
    require_admin(member, "list volunteers")
    workspace = member.workspace
    if topic_id is not None and not Topic.objects.filter(workspace=workspace, pk=topic_id).exists():
        raise Http404("No such topic")
    qs = queries.volunteers(
        workspace,
        activity=activity,
        network=network,
        topic_ids=[topic_id] if topic_id else None,
        language=language,
    )
    total = qs.count()
    results = []
    for m in queries.volunteer_rows(qs)[offset : offset + limit]:
        e = m.enrolment
        results.append(
            VolunteerOut(
                member_id=m.pk,
                display_name=m.display_name,
                department=m.department.name if m.department else "",
                location=m.location.name if m.location else "",
                activities=e.activities,  # type: ignore[arg-type]
                networks=e.networks,  # type: ignore[arg-type]
                topics=[t.name for t in e.topics.all()],
                hours=e.hours or None,  # type: ignore[arg-type]
                comfort=e.comfort or None,  # type: ignore[arg-type]
                languages=e.languages,  # type: ignore[arg-type]
                joined_at=e.joined_at,
            )
        )
    return VolunteerPage(total=total, limit=limit, offset=offset, results=results)
